"""Word lists and rules for the names and ids of synthetic organisations and places.

The names read like real ones (``锦绣新村社区``, ``第三人民医院``, ``城建集团有限公司``) but
belong to no real organisation; every row that uses them is marked ``synthetic``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from cobuild_graph.generate._picks import rank_in_group

# -- word lists ---------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


_PLACE_FIRST = "东西南北清安和泰兴华长新永平宁丰金玉青云江湖山松梅桂荷柳石河"
_PLACE_SECOND = "阳山湖河桥塘浦溪泉林城港湾川亭坊园门庄泾"
#: Two-character place names for synthetic cities, districts and streets.
PLACES = [a + b for a in _PLACE_FIRST for b in _PLACE_SECOND if a != b]
WORDS = _words(
    "锦绣 阳光 金桥 翠园 桂花 梅花 莲花 青年 和平 幸福 康乐 彩虹 滨河 南苑 北苑 东湖 西园 "
    "玉兰 紫藤 银杏 枫林 竹园 春晖 朝阳 新华 文昌 富康 怡和 嘉禾 泰和 锦华 百合 星湖 月湖 "
    "清风 明月 馨园 书香 华庭 景苑"
)
COMMUNITY_SUFFIXES = ("", "新村", "花园", "家园", "苑", "里", "坊", "新城", "名苑", "雅苑")
ORGANS = _words(
    "发展和改革委员会 教育局 科学技术局 工业和信息化局 公安局 司法局 人力资源和社会保障局 "
    "自然资源和规划局 生态环境局 住房和城乡建设局 城市管理局 交通运输局 水务局 农业农村局 "
    "商务局 文化广电和旅游局 卫生健康委员会 退役军人事务局 应急管理局 审计局 "
    "市场监督管理局 体育局 统计局 医疗保障局 信访局 机关事务管理局 行政审批局 数据局 "
    "人民检察院 人民法院 总工会 团委 妇联 科协 残联 侨联 文联 委宣传部 委统战部 委政法委 "
    "纪委监委 委编办 委台办 委外办 地方金融监督管理局 粮食和物资储备局 人防办 档案局 "
    "政府办公室 人大常委会办公室 政协办公室"
)
_INSTITUTIONS = _words(
    "公共资源交易中心 不动产登记中心 疾病预防控制中心 急救中心 档案馆 图书馆 博物馆 文化馆 "
    "美术馆 体育中心 住房保障服务中心 园林绿化管理站 水利工程管理处 环境监测站 "
    "食品药品检验所 社会福利院 救助管理站 公证处 法律援助中心 人才服务中心 "
    "就业管理服务中心 社会保险基金管理中心 规划设计研究院 广播电视台 日报社 气象台 "
    "房产交易中心 供水管理站 排水管理处 路灯管理所 环境卫生管理处 市容市政服务中心 "
    "便民服务中心 政务服务中心 大数据中心 科技情报研究所 质量技术监督检测院 "
    "特种设备检验院 计量测试院 标准化研究院 城市建设档案馆 会议中心 老年大学 "
    "青少年活动中心 妇女儿童活动中心"
)
_SOE_FIRST = _words(
    "城建 交通 文旅 水务 燃气 轨道交通 港口 农业发展 国际发展 创新投资 工业投资 市政 环保 "
    "能源 供销 物流 公交 文化投资 科技创新 住房发展"
)
_SOE_SECOND = ("集团", "投资", "发展", "控股", "实业", "建设")
_PRIVATE_FIRST = _words(
    "华信 科达 博远 鼎盛 瑞丰 恒通 天成 新宇 德润 明达 宏图 众合 汇智 中联 盛世 启明 联创 "
    "睿思 安泰 同创"
)
_PRIVATE_SECOND = _words(
    "科技有限公司 律师事务所 会计师事务所 电子有限公司 物业服务有限公司 商会 社会工作服务社 "
    "信息技术有限公司"
)
_OTHERS = _words(
    "红十字会 工商业联合会 慈善总会 志愿者联合会 青年企业家协会 社会组织促进会 "
    "关心下一代工作委员会 老干部活动中心 计划生育协会 老年人体育协会 文化志愿者协会 "
    "退役军人服务中心 社区服务协会 物业管理协会 书法家协会"
)
_HOSPITALS = _words(
    "中医医院 妇幼保健院 儿童医院 口腔医院 传染病医院 眼科医院 康复医院 中西医结合医院 "
    "肿瘤医院 骨伤科医院 精神卫生中心"
)
THEMES = {
    "党员先锋": ("党员先锋岗", "红色领航", "党员志愿服务队", "先锋议事厅"),
    "为老服务": ("银龄关爱", "助老食堂", "夕阳红互助", "长者驿站", "老年助餐"),
    "青少年服务": ("四点半课堂", "暑期托管", "青苗成长", "小小志愿者"),
    "社区自治": ("睦邻议事会", "楼道自治", "居民议事厅", "共建共治会"),
    "环境整治": ("美丽楼道", "垃圾分类", "绿色家园", "背街小巷整治"),
    "文化活动": ("邻里文化节", "书香社区", "社区大舞台", "非遗进社区"),
    "便民服务": ("家门口服务站", "便民维修", "十五分钟生活圈", "邻里互助"),
    "帮困救助": ("微心愿", "爱心驿站", "困难家庭帮扶", "邻里守望"),
    "健康医疗": ("家庭医生进社区", "健康小屋", "心理关爱", "义诊进社区"),
    "平安建设": ("红袖标巡逻", "平安楼栋", "反诈宣传", "消防安全进家庭"),
    "就业创业": ("家门口就业", "创业孵化", "技能培训", "就业驿站"),
    "法律服务": ("法律明白人", "律师进社区", "调解工作室", "普法课堂"),
}
CATEGORY_SHARES = np.array([0.10, 0.16, 0.12, 0.09, 0.09, 0.09, 0.10, 0.07, 0.07, 0.05, 0.03, 0.03])
SITE_PLACES = {
    "park": "公园",
    "office building": "大厦",
    "business district": "商圈",
    "service window": "便民服务中心",
    "development zone": "产业园",
}


def numeral(n: int) -> str:
    """Chinese numeral for 1..99 (三, 十二, 四十五); larger numbers in digits."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


def _unit_stems() -> dict[str, tuple[list[str], tuple[str, ...], bool]]:
    """Per unit type: name stems, suffixes for when the stems run out, short prefix or not."""
    schools = [f"第{numeral(i)}中学" for i in range(1, 31)]
    schools += [f"{w}{kind}" for kind in ("实验小学", "中学", "幼儿园") for w in WORDS]
    hospitals = [f"第{numeral(i)}人民医院" for i in range(1, 10)] + _HOSPITALS
    branches = ("东区", "西区", "南区", "北区", "新区")
    return {
        "organ": (ORGANS, ("直属分局", "执法大队", "机关服务中心", "信息中心"), False),
        "institution": (_INSTITUTIONS, tuple(b + "分中心" for b in branches), False),
        "soe": (
            [f"{a}{b}有限公司" for b in _SOE_SECOND for a in _SOE_FIRST],
            tuple(b + "分公司" for b in branches),
            True,
        ),
        "school": (schools, tuple(b + "校区" for b in branches), False),
        "hospital": (hospitals, tuple(b + "分院" for b in branches), False),
        "private": (
            [a + b for b in _PRIVATE_SECOND for a in _PRIVATE_FIRST],
            tuple(b + "分部" for b in branches),
            True,
        ),
        "other": (_OTHERS, tuple(b + "分会" for b in branches), False),
    }


UNIT_STEMS = _unit_stems()


# -- names and ids of many items at once --------------------------------------------


def distinct_names(
    rng: np.random.Generator,
    groups: np.ndarray,
    stems: Sequence[str],
    suffixes: Sequence[str] = (),
) -> np.ndarray:
    """A name from `stems` per item, distinct within its group while the stems last.

    Each group walks the stems from a random offset with a random stride coprime to their
    number; past the end, the walk repeats with each suffix appended, then with 第N分部.
    """
    stems_arr = np.array(list(stems), dtype=object)
    n = len(stems_arr)
    groups = np.asarray(groups, np.int64)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    strides = np.array([s for s in range(1, n + 1) if math.gcd(s, n) == 1])
    offset = rng.integers(0, n, size=n_groups)
    stride = strides[rng.integers(0, len(strides), size=n_groups)]
    rank = rank_in_group(groups)
    names = stems_arr[(offset[groups] + rank * stride[groups]) % n]
    layer = rank // n
    for k in np.unique(layer[layer > 0]):
        extra = k - len(suffixes)
        suffix = suffixes[k - 1] if extra <= 0 else f"第{numeral(extra + 1)}分部"
        sel = layer == k
        names[sel] = [f"{s}{suffix}" for s in names[sel]]
    return names


def concat(*parts: Any) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars, as an object array.

    Examples
    --------
    >>> concat(np.array(["道前", "沧浪"], object), "社区").tolist()
    ['道前社区', '沧浪社区']
    """
    arrays = [p for p in parts if isinstance(p, np.ndarray)]
    n = len(arrays[0])
    cols = [p.tolist() if isinstance(p, np.ndarray) else [p] * n for p in parts]
    return np.array(["".join(t) for t in zip(*cols, strict=True)], dtype=object)


def numbered(prefix: str, n: int, width: int = 3, start: int = 1) -> np.ndarray:
    """`n` ids: `prefix` and a number from `start` on, zero-padded to `width` digits.

    Examples
    --------
    >>> numbered("unit-city-", 2, start=9).tolist()
    ['unit-city-009', 'unit-city-010']
    """
    return np.array([f"{prefix}{i:0{width}d}" for i in range(start, start + n)], object)
