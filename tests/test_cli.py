"""The ``cobuild-graph`` command line: exit codes, readable and JSON output, no partial writes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from cobuild_graph import analysis, read_dataset
from cobuild_graph.cli import main
from tests.conftest import NODES, TIES, write_csv_dataset


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_valid(capsys: pytest.CaptureFixture[str], small_dataset: Path) -> None:
    code, out, _ = run(capsys, "validate", small_dataset)
    assert code == 0
    assert "valid (7 nodes, 7 ties)" in out
    code, out, _ = run(capsys, "validate", small_dataset, "--json")
    assert (code, json.loads(out)) == (0, {"problems": []})


def test_validate_invalid_as_table_and_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = write_csv_dataset(
        tmp_path, NODES + "x,Planet,火星,,,\n", TIES + "x,city,PART_OF,,,,\n"
    )
    code, out, err = run(capsys, "validate", folder)
    assert code == 1
    assert out == ""
    assert "第 9 行，label 列 / " in err
    assert "nodes.csv, row 9, column label: 未知的节点类型" in err
    assert "/ unknown label; the schema has" in err
    code, out, _ = run(capsys, "validate", folder, "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert {"file", "row", "column", "value", "message"} == set(problems[0])
    assert [(Path(p["file"]).name, p["row"], p["column"], p["value"]) for p in problems] == [
        ("nodes.csv", 9, "label", "Planet")
    ]


def test_info_counts(capsys: pytest.CaptureFixture[str], small_dataset: Path) -> None:
    code, out, _ = run(capsys, "info", small_dataset, "--json")
    counts = json.loads(out)
    assert code == 0
    assert counts["nodes"] == {
        "ActionBranch": 1,
        "City": 1,
        "Community": 2,
        "District": 1,
        "Street": 1,
        "Unit": 1,
    }
    assert counts["ties"] == {"ASSIGNED_TO": 1, "EMBEDDED_IN": 1, "PAIRED_WITH": 1, "PART_OF": 4}
    code, out, _ = run(capsys, "info", small_dataset)
    assert "PART_OF" in out
    assert "article" in out  # provenance counts


@pytest.mark.parametrize(
    "suffix", ["out.xlsx", "out.graphml", "out.gexf", "out.dl", "out.net", "outdir"]
)
def test_convert(
    capsys: pytest.CaptureFixture[str], small_dataset: Path, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / suffix
    code, _out, _ = run(capsys, "convert", small_dataset, "-o", target)
    assert code == 0
    assert target.exists()
    if suffix.endswith(".graphml"):
        assert nx.read_graphml(target).number_of_nodes() == 7
    elif suffix.endswith(".dl"):
        assert target.read_bytes().startswith(b"DL n=7 nm=4\r\nformat = edgelist1")
    elif suffix.endswith(".net"):
        assert nx.read_pajek(target).number_of_edges() == 7
    elif not suffix.endswith(".gexf"):
        assert read_dataset(target).number_of_edges() == 7


def test_convert_dl_options(
    capsys: pytest.CaptureFixture[str], small_dataset: Path, tmp_path: Path
) -> None:
    target = tmp_path / "m.dl"
    args = ["--dl-layout", "fullmatrix", "--tie-type", "PART_OF", "--tie-type", "PAIRED_WITH"]
    code, _, _ = run(capsys, "convert", small_dataset, "-o", target, *args)
    assert code == 0
    text = target.read_bytes().decode("gb18030")
    assert text.startswith("DL n=7 nm=2\r\nformat = fullmatrix")
    assert 'matrix labels:\r\n"PART_OF"\r\n"PAIRED_WITH"\r\ndata:' in text
    target = tmp_path / "two.dl"
    code, _, _ = run(capsys, "convert", small_dataset, "-o", target, "--two-mode", "Unit,Community")
    assert code == 0
    text = target.read_bytes().decode("gb18030")
    assert text.startswith("DL nr=1 nc=2 nm=1")
    assert text.endswith("data:\r\n1.5 0\r\n")  # the unit pairs with 道前社区, not 南环第一社区


@pytest.mark.parametrize(
    ("output", "args"),
    [
        ("part.net", ["--tie-type", "PART_OF"]),
        ("rel.net", ["--tie-type", "PART_OF", "--tie-type", "PAIRED_WITH", "--pajek-relations"]),
        ("part.dl", ["--tie-type", "PART_OF"]),
        ("two.dl", ["--two-mode", "Unit,Community"]),
        ("all.gexf", []),
        ("all.xlsx", []),
    ],
)
def test_convert_prints_what_it_wrote(
    capsys: pytest.CaptureFixture[str],
    small_dataset: Path,
    tmp_path: Path,
    output: str,
    args: list[str],
) -> None:
    target = tmp_path / output
    code, out, _ = run(capsys, "convert", small_dataset, "-o", target, *args)
    assert code == 0
    if target.suffix == ".net":  # every section read by networkx, relations or not
        text = target.read_text(encoding="utf-8").splitlines()
        n = int(text[1].split()[1])
        ties = [line for line in text[2 + n :] if not line.startswith("*")]
        H = nx.parse_pajek([*text[: 2 + n], "*Arcs", *ties])
        nodes, edges = H.number_of_nodes(), H.number_of_edges()
    elif target.suffix == ".dl":
        text = target.read_bytes().decode("gb18030")
        found = re.match(r"DL (?:n=(\d+)|nr=(\d+) nc=(\d+))", text)
        nodes = sum(int(x) for x in found.groups() if x)
        data = text.split("data:\r\n")[1].split()
        cells = data if "fullmatrix" in text else data[2::3]  # edgelist: row column value
        edges = sum(float(x) != 0 for x in cells)
    elif target.suffix == ".gexf":
        H = nx.read_gexf(target)
        nodes, edges = H.number_of_nodes(), H.number_of_edges()
    else:
        H = read_dataset(target)
        nodes, edges = H.number_of_nodes(), H.number_of_edges()
    assert f"wrote {target} ({nodes:,} nodes, {edges:,} ties)" in out
    G = read_dataset(small_dataset)
    chosen = set(args[1::2]) if "--tie-type" in args else None
    if chosen:  # the chosen types only, not the input's 7 ties
        assert edges == sum(t in chosen for _, _, t in G.edges(data="type")) < 7


@pytest.mark.parametrize(
    ("output", "args", "message"),
    [
        ("o.dl", ["--pajek-relations"], "--pajek-relations applies to a Pajek file"),
        ("o.gexf", ["--dl-layout", "fullmatrix"], "--dl-layout applies to a UCINET file"),
        ("o.net", ["--two-mode", "Unit,Community"], "--two-mode writes a UCINET file"),
        ("o.dl", ["--two-mode", "Unit"], "--two-mode takes ROWS,COLUMNS"),
        ("o.dl", ["--two-mode", "Unit,Village"], "no node is labelled 'Village'"),
        ("o.xlsx", ["--tie-type", "PART_OF"], "--tie-type applies to .dl and .net"),
    ],
)
def test_convert_refuses_options_that_do_not_fit(
    capsys: pytest.CaptureFixture[str],
    small_dataset: Path,
    tmp_path: Path,
    output: str,
    args: list[str],
    message: str,
) -> None:
    code, _, err = run(capsys, "convert", small_dataset, "-o", tmp_path / output, *args)
    assert code == 2
    assert message in err
    assert not (tmp_path / output).exists()


def test_convert_writes_nothing_when_invalid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = write_csv_dataset(tmp_path / "bad", ties=TIES + "007,nowhere,PAIRED_WITH,,,,\n")
    code, _, err = run(capsys, "convert", folder, "-o", tmp_path / "out")
    assert code == 1
    assert "target id not found" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad"]


def test_encoding_flag(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = write_csv_dataset(
        tmp_path, "id,label,name\nc,City,Zürich\n", "source,target,type\n", encoding="cp1252"
    )
    code, _, err = run(capsys, "validate", folder)
    assert code == 1
    assert "encoding" in err
    code, _, _ = run(capsys, "validate", folder, "--encoding", "cp1252")
    assert code == 0


def test_clear_errors_of_paths_and_encodings(
    capsys: pytest.CaptureFixture[str], small_dataset: Path, tmp_path: Path
) -> None:
    xls = tmp_path / "roster.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    code, out, err = run(capsys, "validate", xls)
    assert (code, out) == (1, "")
    assert err.splitlines()[1] == (
        f"  {xls}: 这是 .xls 工作簿（Excel 97–2003）：请在 Excel 或 WPS 中另存为 .xlsx，"
        "花名册请用 `cobuild-graph import` / an .xls workbook (Excel 97–2003): save it as "
        ".xlsx in Excel/WPS, or for a roster use `cobuild-graph import`"
    )
    code, _, err = run(capsys, "convert", small_dataset / "ties.csv", "-o", tmp_path / "o.xlsx")
    assert code == 1
    assert f"pass the folder that holds nodes.csv and ties.csv, {small_dataset}\n" in err
    assert not (tmp_path / "o.xlsx").exists()
    folder = write_csv_dataset(tmp_path / "gb", encoding="gb18030")
    assert run(capsys, "validate", folder)[0] == 0
    code, _, err = run(capsys, "validate", folder, "--encoding", "utf-8")
    assert code == 1
    assert (
        "nodes.csv, row 2: 看起来是 GB18030 编码：去掉 --encoding，或改用 --encoding gb18030" in err
    )
    assert "this looks like GB18030: drop --encoding or pass --encoding gb18030" in err


def test_schema_flag(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = write_csv_dataset(tmp_path / "d", NODES + "v1,Village,新村,,,\n")
    schema = tmp_path / "s.toml"
    schema.write_text('[labels.Village]\nparent = "Street"\n', encoding="utf-8")
    assert run(capsys, "validate", folder)[0] == 1
    assert run(capsys, "validate", folder, "--schema", schema)[0] == 0


def test_analyze_passes_the_schema_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_csv_dataset(
        tmp_path / "d", NODES + "v1,Village,新村,,,\n", TIES + "v1,canglang,PART_OF,,,,\n"
    )
    schema = tmp_path / "s.toml"
    schema.write_text('[labels.Village]\nparent = "Street"\n', encoding="utf-8")
    seen = []

    def analyze(G, **options):
        seen.append(options["schema"])
        return original(G, **options)

    original = analysis.analyze
    monkeypatch.setattr(analysis, "analyze", analyze)
    out = tmp_path / "out"
    code, _, _ = run(capsys, "analyze", folder, "--schema", schema, "--view", "full", "-o", out)
    assert code == 0
    assert seen[0].hierarchy == ("City", "District", "Street", "Village", "Community", "Grid")
    rollup = pd.read_csv(tmp_path / "out" / "rollup_street.csv", index_col=0)
    assert rollup.loc["canglang", "nodes"] == 6  # all but the city and the district


def test_analyze_only_writes_the_tables_asked_for_and_those_they_need(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = write_csv_dataset(tmp_path / "d", NODES, TIES)
    out = tmp_path / "out"
    code, printed, _ = run(
        capsys, "analyze", folder, "--only", "inequality,kcore", "--only", "summary", "-o", out
    )
    assert code == 0
    written = {path.stem for path in out.glob("*.csv")}
    # summary reads communities, inequality the balance counts
    assert written == {"summary", "communities", "kcore", "balance", "inequality", "about"}
    assert "(6 tables)" in printed
    full = analysis.analyze(read_dataset(folder), only=["balance"])["balance"]
    back = pd.read_csv(out / "balance.csv", encoding="utf-8-sig", index_col=0)
    assert back["units"].tolist() == full["units"].tolist()
    code, _, err = run(capsys, "analyze", folder, "--only", "kcore,nope", "-o", tmp_path / "o2")
    assert code == 2
    assert "未知的分析表 nope" in err
    assert "unknown tables nope" in err
    assert not (tmp_path / "o2").exists()


@pytest.mark.parametrize("flag", [[], ["--no-inferred-dates"]])
@pytest.mark.parametrize("command", ["analyze", "report"])
def test_analyze_and_report_can_leave_inferred_dates_out(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    flag: list[str],
) -> None:
    from cobuild_graph import report

    folder = write_csv_dataset(tmp_path / "d", NODES, TIES)
    seen = []

    def analyze(G, **options):
        seen.append(options["inferred_dates"])
        return {}

    monkeypatch.setattr(analysis, "analyze", analyze)
    monkeypatch.setattr(report, "write_report", lambda G, out, **_: Path(out) / "index.html")
    code, _, _ = run(capsys, command, folder, *flag, "-o", tmp_path / "out")
    assert code == 0
    assert seen == [not flag]


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "info", tmp_path / "nope")
    assert code == 2
    assert "no dataset" in err


def test_template_is_a_valid_dataset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, _ = run(capsys, "template", "-o", tmp_path / "t.xlsx")
    assert code == 0
    G = read_dataset(tmp_path / "t.xlsx")
    assert G.nodes["community-daoqian"]["name"] == "道前社区"


def test_generate_then_validate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "generate", "--scale", "tiny", "--seed", "7", "-o", tmp_path / "g")
    assert code == 0
    code, out, _ = run(capsys, "info", tmp_path / "g", "--json")
    assert code == 0
    assert json.loads(out)["nodes"]["Street"] >= 1


@pytest.mark.slow
def test_console_script_is_installed(small_dataset: Path) -> None:
    exe = shutil.which("cobuild-graph")
    assert exe is not None, "pip install -e . puts cobuild-graph on PATH"
    done = subprocess.run(
        [exe, "info", str(small_dataset), "--json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["ties"]["PART_OF"] == 4


@pytest.mark.slow
def test_report_prints_every_file_it_wrote(
    capsys: pytest.CaptureFixture[str], small_dataset: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "report"
    code, out, _ = run(capsys, "report", small_dataset, "-o", out_dir)
    assert code == 0
    printed = {Path(line.split()[0]) for line in out.splitlines()[1:]}
    assert printed == set(out_dir.iterdir())  # every file written, and only those
    assert out.splitlines()[0] == "写入 wrote:"
    assert "交互网络图 interactive map" in out


_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("source", "make", "args", "english"),
    [
        (
            "io",
            lambda d: (d / "metadata.json").write_text("{,}", encoding="utf-8"),
            ["validate", "{data}"],
            "not valid JSON",
        ),
        (
            "_sheets",
            lambda d: (d.parent / "book.xlsx").write_bytes(b"id,label\n"),
            ["validate", "{book}"],
            "not an .xlsx workbook: the file is not a zip archive",
        ),
        ("_encoding", None, ["validate", "{data}", "--encoding", "no-such"], "unknown encoding"),
        (
            "export",
            lambda d: (d / "nodes.csv").write_text(
                NODES.replace("道前社区", '"道前""社区"'), encoding="utf-8"
            ),
            ["convert", "{data}", "-o", "{out}.net"],
            "its Pajek label",
        ),
        (
            "cli usage",
            None,
            ["convert", "{data}", "-o", "{out}.xlsx", "--tie-type", "PART_OF"],
            "--tie-type applies to .dl and .net files",
        ),
        ("cli wrote", None, ["convert", "{data}", "-o", "{out}.gexf"], "wrote {out}.gexf (7 nodes"),
    ],
    ids=["io", "sheets", "encoding", "export", "cli-usage", "cli-wrote"],
)
def test_messages_say_it_in_chinese_first_then_english(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    source: str,
    make: object,
    args: list[str],
    english: str,
) -> None:
    data = write_csv_dataset(tmp_path / "data", NODES, TIES)
    if make is not None:
        make(data)  # type: ignore[operator]
    names = {"data": data, "book": tmp_path / "book.xlsx", "out": tmp_path / "out"}
    _, out, err = run(capsys, *(a.format(**names) for a in args))
    english = english.format(**names)
    line = next(line for line in (out + err).splitlines() if english in line)
    before = line[: line.index(english)]
    # The Chinese comes first, on the same line, the English word for word after it.
    assert _CJK.search(before), f"{source}: no Chinese before the English: {line!r}"
