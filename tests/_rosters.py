"""Rosters made for the tests, with the truth known: which spellings name one unit."""

from __future__ import annotations

from pathlib import Path

import openpyxl

#: The true units of the 报到名册 and how the roster writes each.
UNITS: dict[str, list[str]] = {
    "苏州市妇女联合会": ["苏州市妇联", "苏州市妇女联合会"],
    "苏州银行股份有限公司": ["苏州银行", "苏州银行股份有限公司"],
    "苏州市律师协会（姑苏分中心）": ["苏州市律师协会（姑苏分中心）", "苏州市律师协会(姑苏分中心)"],
    "苏州市市政设施管理处": ["市政设施管理处", "苏州市市政设施管理处"],
    "苏州市第十中学校": ["苏州市第十中学", "苏州市第十中学校"],
    "苏州轨道交通集团有限公司": ["苏州轨道交通集团", "苏州轨道交通集团有限公司"],
    "国家税务总局苏州市姑苏区税务局": ["姑苏区税务局", "国家税务总局苏州市姑苏区税务局"],
    "苏州市人力资源和社会保障局": ["苏州市人社局", "苏州市人力资源和社会保障局"],
    "苏州供电公司": ["苏州供电公司", "国网苏州供电公司"],
    "中国移动苏州分公司": ["中国移动苏州分公司", "中国移动通信集团江苏有限公司苏州分公司"],
    "苏州市总工会": ["苏州市总工会", "苏州市总工会\u3000"],
    "姑苏区卫生健康委员会": ["姑苏区卫健委", "姑苏区卫生健康委员会"],
    "苏州大学附属第一医院": ["苏州大学附属第一医院"],
    "苏州市科学技术协会": ["苏州市科学技术协会"],
    "苏州市住房公积金管理中心": ["苏州市住房公积金管理中心"],
}
CATEGORY = {
    "苏州市妇女联合会": "群团组织",
    "苏州银行股份有限公司": "国企",
    "苏州市律师协会（姑苏分中心）": "社会组织",
    "苏州市市政设施管理处": "事业单位",
    "苏州市第十中学校": "学校",
    "苏州轨道交通集团有限公司": "国有企业",
    "国家税务总局苏州市姑苏区税务局": "机关",
    "苏州市人力资源和社会保障局": "党政机关",
    "苏州供电公司": "央企",
    "中国移动苏州分公司": "央企",
    "苏州市总工会": "群团",
    "姑苏区卫生健康委员会": "机关单位",
    "苏州大学附属第一医院": "医院",
    "苏州市科学技术协会": "群团组织",
    "苏州市住房公积金管理中心": "事业单位",
}
#: The places: street → communities (19), all in 姑苏区.
PLACES: dict[str, list[str]] = {
    "沧浪街道": [
        "道前社区",
        "胥江社区",
        "南门社区",
        "新市社区",
        "文庙社区",
        "府前社区",
        "杨枝社区",
    ],
    "双塔街道": ["定慧寺社区", "锦帆社区", "滚绣社区", "迎春社区", "钱万里社区", "竹辉社区"],
    "金阊街道": ["彩香社区", "三元社区", "石路社区", "留园社区", "白莲社区", "虹桥社区"],
}
#: How the roster writes some communities (the rules merge these).
COMMUNITY_SPELLINGS = {"道前社区": "道前社区居委会", "胥江社区": "胥江社区居民委员会"}
DISTRICT = "姑苏区"
ROSTER_ROWS = 41


def report_rows() -> list[dict[str, str]]:
    """The 41 rows of the 报到名册: every spelling and every community used, sorted by
    street (the street cells are merged in the workbook)."""
    spellings = [(unit, s) for unit, written in UNITS.items() for s in written]
    communities = [(street, c) for street, names in PLACES.items() for c in names]
    rows = []
    for i in range(ROSTER_ROWS):
        unit, spelled = spellings[i % len(spellings)]
        street, community = communities[(i * 7) % len(communities)]
        written = community
        if community in COMMUNITY_SPELLINGS and i % 2 == 0:
            written = COMMUNITY_SPELLINGS[community]
        rows.append(
            {
                "unit": unit,
                "单位名称": spelled,
                "单位类型": CATEGORY[unit],
                "报到社区": written,
                "community": community,
                "所属街道": street,
                "报到时间": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "党员人数": str(3 + i % 20),
            }
        )
    order = list(PLACES)
    rows.sort(key=lambda r: order.index(r["所属街道"]))
    return rows


def write_report_roster(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """The 报到名册 as a researcher gets it: a title row merged across, a 序号 column, the
    street merged down its rows, and a sheet of places."""
    rows = report_rows() if rows is None else rows
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "报到名册"
    headers = ["序号", "单位名称", "单位类型", "报到社区", "所属街道", "报到时间", "党员人数"]
    sheet.append(["2023年姑苏区机关企事业单位到社区报到名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    start = 3
    for i, row in enumerate(rows, start=1):
        sheet.append([i, *(row[h] for h in headers[1:])])
    # merge the street down each run of rows, leaving the value in the run's first cell
    run_start = start
    for r in range(start, start + len(rows) + 1):
        same = (
            r < start + len(rows)
            and rows[r - start]["所属街道"] == rows[run_start - start]["所属街道"]
        )
        if not same:
            if r - 1 > run_start:
                for rr in range(run_start + 1, r):
                    sheet.cell(rr, 5).value = None
                sheet.merge_cells(start_row=run_start, start_column=5, end_row=r - 1, end_column=5)
            run_start = r
    places = book.create_sheet("社区名单")
    places.append(["区", "街道", "社区"])
    for street, names in PLACES.items():
        for name in names:
            places.append([DISTRICT, street, name])
    book.save(path)
    return path
