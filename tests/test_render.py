"""Bulletins and templates: validation with file and line, rendering in the sandbox, the programme wrapper."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from broadcast.config import Settings
from broadcast.content.bulletin import Bulletin, load_bulletin, load_bulletins
from broadcast.content.render import percent, render_bulletin, render_programme, vn_number
from broadcast.content.template import skeleton, templates
from broadcast.errors import UserError

REPO = Path(__file__).resolve().parent.parent
SETTINGS = Settings()


def write(tmp_path, text, name="b.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_every_template_skeleton_is_a_valid_bulletin_that_renders():
    assert {"free", "legal_document", "procedure", "hotline", "one_stop", "commendation", "digital_services"} <= set(templates())
    for name in templates():
        b = Bulletin(**yaml.safe_load(skeleton(name, date(2024, 5, 6))))
        segments = render_bulletin(b, SETTINGS)
        assert segments[0].kind == "title"
        assert all(s.text.strip() for s in segments)


def test_programme_wrapper_greets_and_signs_off_with_station_name():
    b = Bulletin(id="x", title="Tin", topic="general", body="Nội dung.")
    segs = render_programme([b], SETTINGS)
    assert segs[0].kind == "greeting" and "Đây là Đài truyền thanh xã Tiền Tiến" in segs[0].text
    assert segs[-1].kind == "signoff" and "kết thúc" in segs[-1].text
    assert [s.kind for s in segs] == ["greeting", "title", "paragraph", "signoff"]


def test_dates_render_the_vietnamese_way_and_numbers_group_with_dots():
    b = Bulletin(id="x", title="T", topic="legal_document", template="legal_document", data={
        "doc_type": "Quyết định", "number": "22/2018/QĐ-TTg", "signed": date(2018, 5, 8),
        "issuer": "Thủ tướng Chính phủ", "subject": "về hương ước", "gist": "Nội dung."})
    text = render_bulletin(b, SETTINGS)[1].text
    assert "ngày 8/5/2018 của Thủ tướng Chính phủ về hương ước." in text
    assert vn_number(1245) == "1.245" and vn_number(98.5) == "98,5" and vn_number(1500000) == "1.500.000"
    assert percent(1226, 1245) == "98,5" and percent(1, 0) == "0"


def test_one_stop_rate_is_computed():
    b = Bulletin(id="x", title="T", topic="one_stop", template="one_stop",
                 data={"period": "quý I/2024", "received": 200, "on_time": 199})
    text = " ".join(s.text for s in render_bulletin(b, SETTINGS))
    assert "tiếp nhận 200 hồ sơ" in text and "đạt 99,5%" in text
    assert "quá hạn" not in text  # optional fields left out say nothing


def test_missing_template_variables_are_all_named(tmp_path):
    p = write(tmp_path, "id: a\ntitle: T\ntopic: legal_document\ntemplate: legal_document\ndata:\n  doc_type: Quyết định\n")
    with pytest.raises(UserError) as err:
        render_bulletin(load_bulletin(p), SETTINGS)
    text = "\n".join(err.value.problems)
    for key in ("number", "signed", "issuer", "subject", "gist"):
        assert f"needs data key '{key}'" in text
    assert str(p) in text


def test_unknown_template_lists_the_available_ones(tmp_path):
    p = write(tmp_path, "id: a\ntitle: T\ntopic: general\ntemplate: nonesuch\n")
    with pytest.raises(UserError, match=r"unknown template 'nonesuch'; available: commendation, digital_services, free"):
        render_bulletin(load_bulletin(p), SETTINGS)


def test_sandbox_blocks_unsafe_template_code(tmp_path):
    p = write(tmp_path, "id: a\ntitle: T\ntopic: general\nbody: \"{{ ''.__class__.__mro__ }}\"\n")
    b = load_bulletin(p)
    # The free template prints the body as data; Jinja in the body is not evaluated.
    assert "__class__" in render_bulletin(b, SETTINGS)[1].text


def test_bulletin_validation_reports_every_problem_with_lines(tmp_path):
    p = write(tmp_path, "id: Bad Id!\ntitle: T\ntopic: weather\npriority: urgent\nair:\n  from: 2024-05-10\n  to: 2024-05-01\ncolour: red\n")
    with pytest.raises(UserError) as err:
        load_bulletin(p)
    text = "\n".join(err.value.problems)
    assert f"{p}:1: id:" in text
    assert f"{p}:3: topic:" in text and "unknown topic 'weather'" in text
    assert f"{p}:4: priority:" in text
    assert f"{p}:6: air:" in text or f"{p}:5: air" in text
    assert f"{p}:8: colour: unknown key" in text


def test_malformed_yaml_names_file_and_line(tmp_path):
    p = write(tmp_path, "id: a\ntitle: [oops\ntopic: general\n")
    with pytest.raises(UserError, match=rf"^{p}:\d+: malformed YAML"):
        load_bulletin(p)


def test_duplicate_ids_and_all_files_problems_collected(tmp_path):
    write(tmp_path, "id: a\ntitle: T\ntopic: general\nbody: x\n", "1.yaml")
    write(tmp_path, "id: a\ntitle: T\ntopic: general\nbody: y\n", "2.yaml")
    write(tmp_path, "id: b\ntopic: general\n", "3.yaml")
    with pytest.raises(UserError) as err:
        load_bulletins([tmp_path])
    assert len(err.value.problems) == 2
    assert "already used" in err.value.problems[0] and "title: required key is missing" in err.value.problems[1]


def test_example_bulletins_all_load_and_render():
    bulletins = load_bulletins([REPO / "bulletins"])
    assert len(bulletins) >= 7
    assert {b.topic for b in bulletins} >= {"legal_document", "procedure", "hotline", "one_stop", "commendation", "digital_government"}
    for b in bulletins:
        assert render_bulletin(b, SETTINGS)


def test_air_window():
    b = Bulletin(id="x", title="T", topic="general", body="x", air={"from": date(2024, 1, 1), "to": date(2024, 1, 31)})
    assert b.on_air(date(2024, 1, 31)) and not b.on_air(date(2024, 2, 1)) and not b.on_air(date(2023, 12, 31))


def test_impossible_dates_are_reported_with_every_other_problem(tmp_path):
    p = write(tmp_path, "id: a\ntitel: T\ntopic: general\nbody: x\nair:\n  from: 2024-02-30\n  to: 31/12/2024\n")
    with pytest.raises(UserError) as err:
        load_bulletin(p)
    text = "\n".join(err.value.problems)
    assert f"{p}:6: air.from:" in text and "2024-02-30" in text and "YYYY-MM-DD" in text
    assert f"{p}:7: air.to:" in text
    assert f"{p}:2: titel: unknown key; did you mean 'title'?" in text


def one_stop(**data):
    base = {"period": "quý I/2024", "received": 200, "on_time": 199}
    return Bulletin(id="x", title="T", topic="one_stop", template="one_stop", data=base | data)


def test_counts_must_be_whole_numbers_and_grouped_text_is_understood():
    with pytest.raises(UserError, match=r"data.received: 1.245 is not a whole number; YAML reads 1.245"):
        render_bulletin(one_stop(received=1.245, on_time=1), SETTINGS)
    text = " ".join(s.text for s in render_bulletin(one_stop(received="1.245", on_time="1.226"), SETTINGS))
    assert "tiếp nhận 1.245 hồ sơ" in text and "đạt 98,5%" in text
    with pytest.raises(UserError, match=r"data.on_time \(300\) is more than data.received \(200\)"):
        render_bulletin(one_stop(on_time=300), SETTINGS)
    text = " ".join(s.text for s in render_bulletin(one_stop(received=0, on_time=0), SETTINGS))
    assert "đạt" not in text  # no rate of nothing


def test_dates_in_data_are_checked_and_read_as_dates():
    data = {"doc_type": "Quyết định", "number": "22/2018/QĐ-TTg", "issuer": "Thủ tướng Chính phủ",
            "subject": "về hương ước", "gist": "Nội dung."}
    ok = Bulletin(id="x", title="T", topic="legal_document", template="legal_document", data=data | {"signed": "2018-05-08"})
    assert "ngày 8/5/2018" in render_bulletin(ok, SETTINGS)[1].text
    bad = Bulletin(id="x", title="T", topic="legal_document", template="legal_document", data=data | {"signed": "2018-02-30"})
    with pytest.raises(UserError, match=r"data.signed: '2018-02-30' is not a date: write YYYY-MM-DD"):
        render_bulletin(bad, SETTINGS)


def test_an_empty_bulletin_file_says_so(tmp_path):
    p = write(tmp_path, "# nothing yet\n")
    with pytest.raises(UserError, match=rf"^{p}: the file is empty"):
        load_bulletin(p)


def test_schema_errors_do_not_hide_the_data_errors(tmp_path):
    p = write(tmp_path, "id: a\ntitle: T\ntopic: hotline\ntemplate: hotline\npriority: urgent\nair:\n  from: 2024-02-30\n"
                        "data:\n  lines: 1800 1567\n  numbr: 3\n")
    with pytest.raises(UserError) as err:
        load_bulletin(p)
    problems = err.value.problems
    assert [int(x.split(":")[1]) for x in problems] == [5, 7, 9, 10], problems
    assert problems[0].startswith(f"{p}:5: priority: ")
    assert problems[1].startswith(f"{p}:7: air.from: ") and "YYYY-MM-DD" in problems[1]
    assert problems[2].startswith(f"{p}:9: data.lines: must be a list of entries, each with purpose, number")
    assert problems[3] == f"{p}:10: data.numbr: not a field of template 'hotline'; the template's fields are: lines"


def test_schema_errors_do_not_hide_missing_data_or_an_unknown_template(tmp_path):
    p = write(tmp_path, "id: a\ntitle: T\ntopic: procedure\ntemplate: procedure\ncolour: red\ndata:\n  name: X\n")
    with pytest.raises(UserError) as err:
        load_bulletin(p)
    text = "\n".join(err.value.problems)
    assert f"{p}:5: colour: unknown key" in text
    for key in ("field", "where", "time_limit", "fee"):
        assert f"{p}:6: template 'procedure' needs data key '{key}'" in text
    p = write(tmp_path, "id: a\ntitle: T\ntopic: general\ntemplate: nonesuch\npriority: urgent\ndata: {x: 1}\n")
    with pytest.raises(UserError) as err:
        load_bulletin(p)
    problems = err.value.problems
    assert len(problems) == 2 and problems[0].startswith(f"{p}:4: unknown template 'nonesuch'; available: ")
    assert problems[1].startswith(f"{p}:5: priority: ")
