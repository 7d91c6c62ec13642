"""Spoken forms of administrative text, pinned per rule family; the development set scored by WER."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from broadcast.speech.normalise import Change, explain, normalise, unspeakable
from broadcast.speech.wer import corpus_wer, load_cases, score, words

DATA = Path(__file__).resolve().parent / "data"
DEV_SET = DATA / "dev.tsv"
PLAN = DATA / "plan-2024.txt"  # the commune's 2024 plan the project grew from


def said(text: str) -> str:
    return normalise(text)


CASES = {
    "numbers": [
        ("Xã có 21 thôn, 24 tổ, 25 chi hội", "Xã có hai mươi mốt thôn, hai mươi tư tổ, hai mươi lăm chi hội"),
        ("105 hộ, 114 hộ nghèo, 1.020 người", "một trăm linh năm hộ, một trăm mười bốn hộ nghèo, một nghìn không trăm hai mươi người"),
        ("năm 2018", "năm hai nghìn không trăm mười tám"),
        ("kinh phí 1.500.000 đồng", "kinh phí một triệu năm trăm nghìn đồng"),
        ("thu 12.500.000.000 đồng", "thu mười hai tỷ năm trăm triệu đồng"),
        ("tăng 5,3 lần", "tăng năm phẩy ba lần"),
        ("diện tích 12,5 ha", "diện tích mười hai phẩy năm héc ta"),
        ("chỉ số 0,05", "chỉ số không phẩy không năm"),
        ("Thời hạn 05 ngày làm việc", "Thời hạn năm ngày làm việc"),
    ],
    "dates": [
        ("ngày 29/3/2017", "ngày hai mươi chín tháng ba năm hai nghìn không trăm mười bảy"),
        ("ký 29/3/2017", "ký ngày hai mươi chín tháng ba năm hai nghìn không trăm mười bảy"),
        ("ngày 08/5/2018", "ngày tám tháng năm năm hai nghìn không trăm mười tám"),
        ("Từ ngày 01/7/2024", "Từ ngày một tháng bảy năm hai nghìn không trăm hai mươi tư"),
        ("Ngày 2/9 là ngày Quốc khánh", "Ngày hai tháng chín là ngày Quốc khánh"),
        ("lễ 30/4 và 1/5", "lễ ngày ba mươi tháng tư và ngày một tháng năm"),
        ("hạn chót 31/12", "hạn chót ngày ba mươi mốt tháng mười hai"),
        ("ngày 3/4/2024", "ngày ba tháng tư năm hai nghìn không trăm hai mươi tư"),
        ("ngày 02 tháng 01 năm 2024", "ngày hai tháng một năm hai nghìn không trăm hai mươi tư"),
        ("Tháng 3/2024 xã", "Tháng ba năm hai nghìn không trăm hai mươi tư xã"),
        ("trong 4/2024", "trong tháng tư năm hai nghìn không trăm hai mươi tư"),
        ("tháng 4 và tháng 1", "tháng tư và tháng một"),
        ("Trong 6 tháng đầu năm", "Trong sáu tháng đầu năm"),
        (
            "từ 01/7 - 31/12/2024",
            "từ ngày một tháng bảy đến ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi tư",
        ),
        ("từ ngày 10-15/8/2024", "từ ngày mười đến ngày mười lăm tháng tám năm hai nghìn không trăm hai mươi tư"),
        ("ngày 2-9-1945", "ngày hai tháng chín năm một nghìn chín trăm bốn mươi lăm"),
    ],
    "times": [
        ("lúc 7h", "lúc bảy giờ"),
        ("lúc 7h45", "lúc bảy giờ bốn mươi lăm phút"),
        ("lúc 17h30", "lúc mười bảy giờ ba mươi phút"),
        ("lúc 8h00 sáng", "lúc tám giờ sáng"),
        ("lúc 14 giờ", "lúc mười bốn giờ"),
        ("từ 7h30 - 11h30", "từ bảy giờ ba mươi phút đến mười một giờ ba mươi phút"),
    ],
    "ranges": [
        ("giai đoạn 2021 – 2025", "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
        ("giai đoạn 2021-2025", "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
        ("từ 3 - 5 ngày", "từ ba đến năm ngày"),
        ("từ thứ 2 - thứ 6", "từ thứ hai đến thứ sáu"),
        ("độ ẩm 80 - 85%", "độ ẩm tám mươi đến tám mươi lăm phần trăm"),
    ],
    "percent-money-units": [
        ("đạt 100% nhiệm vụ", "đạt một trăm phần trăm nhiệm vụ"),
        ("đạt 98,5%", "đạt chín mươi tám phẩy năm phần trăm"),
        ("Lệ phí: 50.000 đồng/hồ sơ", "Lệ phí: năm mươi nghìn đồng một hồ sơ"),
        ("phí 50.000đ/người/lượt", "phí năm mươi nghìn đồng một người một lượt"),
        ("100.000 VNĐ", "một trăm nghìn đồng"),
        ("2 lần/năm", "hai lần một năm"),
        ("1.250 m2, 3,5 km, 500 kg, 2 ha", "một nghìn hai trăm năm mươi mét vuông, ba phẩy năm ki lô mét, năm trăm ki lô gam, hai héc ta"),
        ("Cổng / Trang thông tin", "Cổng hoặc Trang thông tin"),
    ],
    "fractions": [
        ("đạt 87,65/100 điểm", "đạt tám mươi bảy phẩy sáu mươi lăm trên một trăm điểm"),
        ("19/19 thôn", "mười chín trên mười chín thôn"),
        ("phục vụ 24/7", "phục vụ hai mươi tư trên bảy"),
        ("1.532/1.540 hồ sơ", "một nghìn năm trăm ba mươi hai trên một nghìn năm trăm bốn mươi hồ sơ"),
    ],
    "documents": [
        ("Quyết định số 22/2018/QĐ-TTg", "Quyết định số hai mươi hai năm hai nghìn không trăm mười tám"),
        ("Chỉ thị 11/CT-TTg", "Chỉ thị số mười một"),
        ("Kế hoạch số 442/KH-UBND", "Kế hoạch số bốn trăm bốn mươi hai"),
        ("Kế hoạch 2338/KH - UBND", "Kế hoạch số hai nghìn ba trăm ba mươi tám"),
        ("Quyết định số 3396/QĐ – UBND", "Quyết định số ba nghìn ba trăm chín mươi sáu"),
        ("Chương trình số 22- CTTr/TU", "Chương trình số hai mươi hai"),
        ("Luật số 45/2019/QH14", "Luật số bốn mươi lăm năm hai nghìn không trăm mười chín"),
        ("Thông tư 39/2020/TT-BTTTT", "Thông tư số ba mươi chín năm hai nghìn không trăm hai mươi"),
        ("Nghị quyết số 18-NQ/TW", "Nghị quyết số mười tám"),
        ("Số: 02 /KH-UBND", "Số: hai"),
        ("Kế hoạch số 01 /KH- UBND, ngày", "Kế hoạch số một, ngày"),
        ("Công văn 123/UBND-VP", "Công văn số một trăm hai mươi ba"),
        ("Luật số 45/2019 đã có hiệu lực", "Luật số bốn mươi lăm năm hai nghìn không trăm mười chín đã có hiệu lực"),
    ],
    "roman": [
        ("lần thứ XXIII", "lần thứ hai mươi ba"),
        ("Quốc hội khóa XV", "Quốc hội khóa mười lăm"),
        ("quý III", "quý ba"),
        ("Quý I/2024 hoàn thành", "Quý một năm hai nghìn không trăm hai mươi tư hoàn thành"),
        ("Chương II, mục III", "Chương hai, mục ba"),
        ("## **II. NỘI DUNG TUYÊN TRUYỀN**", "hai. NỘI DUNG TUYÊN TRUYỀN"),
        ("#### I. MỤC ĐÍCH, YÊU CẦU", "một. MỤC ĐÍCH, YÊU CẦU"),
        ("Phụ lục D kèm theo", "Phụ lục D kèm theo"),
    ],
    "phones": [
        ("nóng: 0220.3852.111", "nóng: không hai hai không, ba tám năm hai, một một một"),
        ("di động 0912.345.678", "di động không chín một hai, ba bốn năm, sáu bảy tám"),
        ("di động 0987654321", "di động không chín tám bảy, sáu năm bốn, ba hai một"),
        ("gia đình: 1800 1567", "gia đình: một tám không không, một năm sáu bảy"),
        ("Hotline: 1800.1567", "Đường dây nóng: một tám không không, một năm sáu bảy"),
        ("gọi tổng đài 1022", "gọi tổng đài một không hai hai"),
        ("Gọi 113, 114, 115 khi khẩn cấp", "Gọi một một ba, một một bốn, một một năm khi khẩn cấp"),
        ("tiếp nhận 1022 hồ sơ", "tiếp nhận một nghìn không trăm hai mươi hai hồ sơ"),
        ("ĐT: +84 912 345 678", "điện thoại: cộng tám bốn, chín một hai, ba bốn năm, sáu bảy tám"),
    ],
    "web": [
        ("dichvucong.gov.vn", "dịch vụ công chấm gờ o vê chấm vê en"),
        ("https://dichvucong.gov.vn/ để", "dịch vụ công chấm gờ o vê chấm vê en để"),
        ("ubnd.tientien@haiduong.gov.vn", "u bê en đê chấm tien tien a còng Hải Dương chấm gờ o vê chấm vê en"),
    ],
    "ordinals": [
        ("từ thứ 2 đến thứ 6", "từ thứ hai đến thứ sáu"),
        ("thứ 4, thứ 1", "thứ tư, thứ nhất"),
        ("lần thứ 8", "lần thứ tám"),
    ],
    "lexicon": [
        ("UBND xã", "Ủy ban nhân dân xã"),
        ("HĐND và UBND xã phối hợp với UBMTTQ xã", "Hội đồng nhân dân và Ủy ban nhân dân xã phối hợp với Ủy ban Mặt trận Tổ quốc xã"),
        ("Văn phòng HĐND & UBND xã", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã"),
        ("Văn phòng HDND; UBND; VHTT", "Văn phòng Hội đồng nhân dân; Ủy ban nhân dân; Văn hóa Thông tin"),
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
        ("TT Đảng ủy, HĐND xã", "Thường trực Đảng ủy, Hội đồng nhân dân xã"),
        ("theo TT 05", "theo Thông tư năm"),
        ("TT Gia Lộc", "thị trấn Gia Lộc"),
        ("CT UBND xã", "Chủ tịch Ủy ban nhân dân xã"),
        ("Phòng TP huyện; TP Hải Dương", "Phòng Tư pháp huyện; thành phố Hải Dương"),
        ("Chỉ số (PAR INDEX)", "Chỉ số, chỉ số cải cách hành chính"),
        ("TM. ỦY BAN NHÂN DÂN", "Thay mặt ỦY BAN NHÂN DÂN"),
        ("Đ/c Nguyễn Văn A, PCT UBND xã", "Đồng chí Nguyễn Văn A, Phó Chủ tịch Ủy ban nhân dân xã"),
    ],
    "pauses": [
        ("mô hình “4 lớp”", "mô hình, bốn lớp"),
        ("danh hiệu “Gia đình văn hóa”, “Thôn văn hóa”", "danh hiệu, Gia đình văn hóa, Thôn văn hóa"),
        ("Độc lập - Tự do - Hạnh phúc", "Độc lập, Tự do, Hạnh phúc"),
        ("xuất sắc...những kết quả", "xuất sắc, những kết quả"),
        ("bức xúc...", "bức xúc."),
        ("tổ chức thực hiện./.", "tổ chức thực hiện."),
        ("(kể từ ngày nhận hồ sơ)", "kể từ ngày nhận hồ sơ"),
        ("- UBND thành phố;", "Ủy ban nhân dân thành phố;"),
        ("1\tBan hành\tTrong năm 2024", "một, Ban hành, Trong năm hai nghìn không trăm hai mươi tư"),
    ],
    "override": [
        ("Theo [[PAR INDEX|chỉ số pa in đéc]] năm 2024", "Theo chỉ số pa in đéc năm hai nghìn không trăm hai mươi tư"),
        ("[[UBND|ủy ban]] xã", "ủy ban xã"),
        ("mã [[A12]] giữ nguyên", "mã A12 giữ nguyên"),
    ],
    "ambiguous-tt": [
        ("Chỉ thị của TT Chính phủ", "Chỉ thị của Thủ tướng Chính phủ"),
        ("ý kiến chỉ đạo của TT Chính phủ về", "ý kiến chỉ đạo của Thủ tướng Chính phủ về"),
        ("Theo TT 01/2024", "Theo Thông tư số một năm hai nghìn không trăm hai mươi tư"),
        ("căn cứ TT 12/2023 của Bộ", "căn cứ Thông tư số mười hai năm hai nghìn không trăm hai mươi ba của Bộ"),
        ("Thông tư 01/2024/TT-BNV", "Thông tư số một năm hai nghìn không trăm hai mươi tư"),
        ("TT Quốc hội", "Thường trực Quốc hội"),
        ("TT. Gia Lộc và TT.Kẻ Sặt", "thị trấn Gia Lộc và thị trấn Kẻ Sặt"),
        ("TT Bộ Tư pháp", "TT Bộ Tư pháp"),  # an institution after it: no town; left for the editor
    ],
    "minus": [
        ("Nhiệt độ -5 độ C", "Nhiệt độ âm năm độ C"),
        ("nhiệt độ thấp nhất −3 độ", "nhiệt độ thấp nhất âm ba độ"),
        ("tăng trưởng -20%", "tăng trưởng âm hai mươi phần trăm"),
        ("lợi nhuận (-1.500.000 đồng)", "lợi nhuận, âm một triệu năm trăm nghìn đồng"),
        ("độ ẩm 80 -85%", "độ ẩm tám mươi đến tám mươi lăm phần trăm"),
        ("giai đoạn 2021 -2025", "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
        ("từ 7h30-11h30", "từ bảy giờ ba mươi phút đến mười một giờ ba mươi phút"),
        ("- Tuyên truyền 3 nội dung", "Tuyên truyền ba nội dung"),
        ("-Tuyên truyền", "Tuyên truyền"),
    ],
    "decimal-point-percent": [
        ("chiếm 3.5%", "chiếm ba phẩy năm phần trăm"),
        ("tăng 12.75 %", "tăng mười hai phẩy bảy mươi lăm phần trăm"),
        ("đạt [[5|năm]]% kế hoạch", "đạt năm phần trăm kế hoạch"),
        ("mục 3.2 của kế hoạch", "mục ba chấm hai của kế hoạch"),
        ("tăng 0.5 lần", "tăng không phẩy năm lần"),
        ("dài 2.5 km", "dài hai phẩy năm ki lô mét"),
    ],
    "weekdays": [
        ("làm việc từ T2-T6", "làm việc từ thứ hai đến thứ sáu"),
        ("nghỉ T7, CN", "nghỉ thứ bảy, chủ nhật"),
        ("tiếp dân T3 và T5 hằng tuần", "tiếp dân thứ ba và thứ năm hằng tuần"),
        ("trực sáng T7", "trực sáng thứ bảy"),
        ("vào CN tuần này", "vào chủ nhật tuần này"),
        ("công nhân CN", "công nhân CN"),  # no weekday context: left for the lexicon
    ],
    "scores": [
        ("thắng với tỷ số 2-1", "thắng với tỷ số hai, một"),
        ("chung cuộc 3 - 0", "chung cuộc ba, không"),
        ("từ 3-5 ngày", "từ ba đến năm ngày"),
    ],
    "day-lists": [
        ("ngày 5 và 6/6", "ngày năm và sáu tháng sáu"),
        ("trong các ngày 5, 6 và 7/6/2024", "trong các ngày năm, sáu và bảy tháng sáu năm hai nghìn không trăm hai mươi tư"),
        ("Ngày Quốc khánh 2/9", "Ngày Quốc khánh hai tháng chín"),
        ("hưởng ứng Ngày Pháp luật Việt Nam 9/11", "hưởng ứng Ngày Pháp luật Việt Nam chín tháng mười một"),
    ],
    "roman-lists-and-sections": [
        ("Phụ lục I, II, III, IV", "Phụ lục một, hai, ba, bốn"),
        ("Chương II và III", "Chương hai và ba"),
        ("Chương I - III", "Chương một đến ba"),
        ("theo mục III.2 của Kế hoạch", "theo mục ba chấm hai của Kế hoạch"),
        ("III.2.1. Nội dung", "ba chấm hai chấm một. Nội dung"),
    ],
    "clock": [
        ("lúc 17 giờ 00", "lúc mười bảy giờ"),
        ("lúc 7 giờ 30", "lúc bảy giờ ba mươi phút"),
        ("lúc 14 giờ 05 phút", "lúc mười bốn giờ năm phút"),
    ],
    "codes": [
        (
            "mã hồ sơ H12.34-240506-0001",
            "mã hồ sơ hát một hai chấm ba bốn gạch ngang hai bốn không năm không sáu gạch ngang không không không một",
        ),
        ("Số hồ sơ: 000.00.11.H23", "Số hồ sơ: không không không chấm không không chấm một một chấm hát hai ba"),
        ("mã số thuế 0101234567", "mã số thuế không một không một hai ba bốn năm sáu bảy"),
        ("mã hồ sơ là 2405060001", "mã hồ sơ là hai bốn không năm không sáu không không không một"),
        ("mã số 12", "mã số mười hai"),
        ("tổng số hồ sơ 1.245", "tổng số hồ sơ một nghìn hai trăm bốn mươi lăm"),
    ],
    "addresses-and-roads": [
        ("số 5 Lê Lợi, Q.1, P.5", "số năm Lê Lợi, Quận một, Phường năm"),
        ("Tp Hải Dương", "thành phố Hải Dương"),
        ("trên QL5 và ĐT391", "trên quốc lộ năm và đường tỉnh ba trăm chín mươi mốt"),
        ("tuyến QL.1A", "tuyến quốc lộ một A"),
        ("ĐT: 0912.345.678", "điện thoại: không chín một hai, ba bốn năm, sáu bảy tám"),
    ],
    "titles-and-lexicon": [
        ("GS.TS Nguyễn Văn A", "Giáo sư, Tiến sĩ Nguyễn Văn A"),
        ("ThS. Trần Thị B", "Thạc sĩ Trần Thị B"),
        ("PGS.TS Lê C", "Phó Giáo sư, Tiến sĩ Lê C"),
        ("số vụ TNGT giảm", "số vụ tai nạn giao thông giảm"),
    ],
    "web-english-words": [
        ("https://dichvucong.gov.vn/p/home", "dịch vụ công chấm gờ o vê chấm vê en gạch chéo pê gạch chéo hôm"),
    ],
    # Readings that real text needed (tests/data/corpus*.tsv).
    "document-letter-suffix-and-glued-type": [
        ("Nghị quyết số 30c/NQ-CP ngày 08", "Nghị quyết số ba mươi xê ngày tám"),
        ("Quyết định số 168a/QĐ-UBND về", "Quyết định số một trăm sáu mươi tám a về"),
        ("Công văn số 2231/SNV-CCHC&PC", "Công văn số hai nghìn hai trăm ba mươi mốt"),
        ("Công văn 285/CCTTHC ngày", "Công văn số hai trăm tám mươi lăm ngày"),
        ("theo TT36/2017 thay thế TT09/2009",
         "theo Thông tư ba mươi sáu năm hai nghìn không trăm mười bảy thay thế Thông tư chín năm hai nghìn không trăm linh chín"),
        ("Kết luận số 80-KL/TW và Thông tư số 04/2021/TT- TTCP",
         "Kết luận số tám mươi và Thông tư số bốn năm hai nghìn không trăm hai mươi mốt"),
    ],
    "number-spelled-again": [
        ("có hiệu lực sau 10 (mười) ngày", "có hiệu lực sau mười ngày"),
        ("không quá 02 (hai) ngày làm việc", "không quá hai ngày làm việc"),
        ("trong 15 (mười lăm) ngày", "trong mười lăm ngày"),
        ("nộp 03 (ba bản)", "nộp ba, ba bản"),  # not the same words: both are read
    ],
    "abbreviation-defined-in-brackets": [
        ("Bổ sung 04 thủ tục hành chính (TTHC) vào Bộ", "Bổ sung bốn thủ tục hành chính vào Bộ"),
        ("Thành lập Ủy ban bầu cử (UBBC) các cấp; UBBC tỉnh họp", "Thành lập Ủy ban bầu cử các cấp; Ủy ban bầu cử tỉnh họp"),
        ("Hội đồng phối hợp PBGDPL tỉnh (viết tắt là Hội đồng) vừa", "Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh vừa"),
        ("Trung tâm điều hành thông minh (IOC) tỉnh", "Trung tâm điều hành thông minh tỉnh"),
        ("Phòng CCHC (Sở Nội vụ) qua", "Phòng cải cách hành chính, Sở Nội vụ, qua"),
        ("Phòng họp (HĐND) tầng 2", "Phòng họp, Hội đồng nhân dân, tầng hai"),
        ("được tuyên truyền, phổ biến, giáo dục pháp luật (TTPBPL); TTPBPL là",
         "được tuyên truyền, phổ biến, giáo dục pháp luật; tuyên truyền, phổ biến, giáo dục pháp luật là"),
    ],
    "joined-abbreviations": [
        ("trụ sở HĐND&UBND huyện", "trụ sở Hội đồng nhân dân và Ủy ban nhân dân huyện"),
        ("Văn phòng HĐND - UBND", "Văn phòng Hội đồng nhân dân, Ủy ban nhân dân"),
        ("cho HS-SV các trường ĐH, CĐ", "cho học sinh, sinh viên các trường đại học, cao đẳng"),
        ("Văn Phòng HĐND-UBND", "Văn Phòng Hội đồng nhân dân, Ủy ban nhân dân"),
        ("phối hợp MTTQ/đoàn thể, mang CCCD/CMND", "phối hợp Mặt trận Tổ quốc, đoàn thể, mang căn cước công dân, chứng minh nhân dân"),
        ("Cổng / Trang thông tin", "Cổng hoặc Trang thông tin"),
        ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
    ],
    "round-the-clock": [
        ("liên tục 24/24h, cả tuần", "liên tục hai mươi tư trên hai mươi tư giờ, cả tuần"),
        ("hoạt động 24/24.", "hoạt động hai mươi tư trên hai mươi tư."),
        ("ngày 24/7 là", "ngày hai mươi tư tháng bảy là"),
    ],
    "service-and-mobile-numbers": [
        ("gọi báo cháy theo số 114 và khi gọi 114 như sau", "gọi báo cháy theo số một một bốn và khi gọi một một bốn như sau"),
        ("tổng đài dịch vụ công 1022 tỉnh này", "tổng đài dịch vụ công một không hai hai tỉnh này"),
        ("xã có 114 hộ nghèo, 115 người", "xã có một trăm mười bốn hộ nghèo, một trăm mười lăm người"),
        ("công khai 2 số của ông (0989175175; 0985667777)",
         "công khai hai số của ông, không chín tám chín, một bảy năm, một bảy năm; không chín tám năm, sáu sáu bảy, bảy bảy bảy"),
    ],
    "hyphenated-and-dotted-dates": [
        ("hoàn thành trước ngày 15-12-2022", "hoàn thành trước ngày mười lăm tháng mười hai năm hai nghìn không trăm hai mươi hai"),
        ("lịch tháng 7-2021 của", "lịch tháng bảy năm hai nghìn không trăm hai mươi mốt của"),
        ("Từ tháng 4.2022 đến nay", "Từ tháng tư năm hai nghìn không trăm hai mươi hai đến nay"),
        ("Ngày 25-3, phó chủ tịch", "Ngày hai mươi lăm tháng ba, phó chủ tịch"),
        ("Ngày 28.7, theo Sở", "Ngày hai mươi tám tháng bảy, theo Sở"),
        ("họp sáng 7-9 giờ", "họp sáng bảy đến chín giờ"),
        ("từ 0 giờ ngày 28.7.2021", "từ không giờ ngày hai mươi tám tháng bảy năm hai nghìn không trăm hai mươi mốt"),
        ("Ngày 27/02/2023 09:04:52", "Ngày hai mươi bảy tháng hai năm hai nghìn không trăm hai mươi ba chín giờ bốn phút năm mươi hai giây"),
        ("từ 3-5 ngày, giai đoạn 2021-2025",
         "từ ba đến năm ngày, giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
    ],
    "english-and-brand-names": [
        ("Mở ứng dụng VNeID, ỨNG DỤNG VNEID", "Mở ứng dụng vê en e ai đi, ỨNG DỤNG vê en e ai đi"),
        ("dịch Covid -19, CoVid-19, COVID19 và Covid", "dịch Cô vít mười chín, Cô vít mười chín, Cô vít mười chín và Cô vít"),
        ("Nhập mã OTP, quét mã QR trên Zalo OA", "Nhập mã ô tê pê, quét mã cu a trên Da lô ô a"),
        ("Hotline: 1900 1234; mua hàng online", "Đường dây nóng: một chín không không, một hai ba bốn; mua hàng trực tuyến"),
        ("Vinaphone, MobiFone và Viettel", "Vi na phôn, Mô bi phôn và Viết ten"),
    ],
    "list-labels-are-pauses": [
        ("a) Sự cố, tai nạn cháy;", "Sự cố, tai nạn cháy;"),
        ("đ) Sự cố khác", "Sự cố khác"),
        ("1.1. Lịch tiếp công dân", "Lịch tiếp công dân"),
        ("2.1 Thống nhất tiêu chí", "Thống nhất tiêu chí"),
        ("+ Bản chính các giấy tờ", "Bản chính các giấy tờ"),
        ("3.5 km đường", "ba phẩy năm ki lô mét đường"),
    ],
    "context-abbreviations": [
        ("- CT, PCT UBND tỉnh;", "Chủ tịch, Phó Chủ tịch Ủy ban nhân dân tỉnh;"),
        ("- Lưu: VT, NC.", "Lưu: văn thư, nội chính."),
        ("Công ty CP Môi trường và Chính phủ CP", "Công ty cổ phần Môi trường và Chính phủ Chính phủ"),
        ("Bà Châu (SN 1977), ngân hàng MB", "Bà Châu, sinh năm một nghìn chín trăm bảy mươi bảy, ngân hàng em bê"),
    ],
    "money-and-rates": [
        ("Lệ phí 2.000 đồng/1 trang.", "Lệ phí hai nghìn đồng một trang."),
        ("Tối đa không quá 100.000đ đồng/bản.", "Tối đa không quá một trăm nghìn đồng một bản."),
        ("mũi 1,2 đối với trẻ em; tăng 1,2 lần", "mũi một, hai đối với trẻ em; tăng một phẩy hai lần"),
    ],
    "web-labels-read-as-typed": [
        ("địa chỉ: cchcquangnam@gmail.com.", "địa chỉ: xê xê hát xê quang nam a còng gờ meo chấm com."),
        ("truy cập tongdai1022.tphcm.gov.vn", "truy cập tổng đài một không hai hai chấm tê pê hát xê em chấm gờ o vê chấm vê en"),
    ],
    "arithmetic-and-short-money": [
        ("5 + 3 = 8", "năm cộng ba bằng tám"),
        ("10 - 3 = 7", "mười trừ ba bằng bảy"),
        ("giá 500k/người", "giá năm trăm nghìn một người"),
        ("thưởng 1tr", "thưởng một triệu"),
        ("hỗ trợ 1,5tr", "hỗ trợ một phẩy năm triệu"),
        ("bản đồ tỷ lệ 1:1000", "bản đồ tỷ lệ một trên một nghìn"),
        ("tỷ lệ 1:2.000", "tỷ lệ một trên hai nghìn"),
    ],
}

# An impossible date or a broken override is left as written: nothing plausible but wrong goes on
# air, and `unspeakable` flags it so `render` warns the editor.
LEFT_AS_WRITTEN = [
    ("Ngày 32/1/2024 họp", "32/1/2024"),
    ("ngày 0/5/2024", "0/5/2024"),
    ("tháng 13/2024", "13/2024"),
    ("ngày 31/4/2024", "31/4/2024"),
    ("ngày 30/02/2024", "30/02/2024"),
    ("ngày 29/2/2023", "29/2/2023"),
    ("từ ngày 31/6", "31/6"),
    ("từ ngày 25-31/4/2024", "25-31/4/2024"),
    ("Nhân viên TT.", "TT"),
    ("[[abc|def và [[ hở", "[["),
    ("mã [[A12 giữ nguyên", "A12"),
    ("sai ]] ở đây", "]]"),
]


@pytest.mark.parametrize(("written", "flagged"), LEFT_AS_WRITTEN)
def test_impossible_or_ambiguous_is_left_written_and_flagged(written, flagged):
    out = said(written)
    assert flagged in out
    assert any(flagged in token for token in unspeakable(out)), (out, unspeakable(out))


def test_valid_leap_day_and_fraction_still_read():
    assert said("ngày 29/2/2024") == "ngày hai mươi chín tháng hai năm hai nghìn không trăm hai mươi tư"
    assert said("phục vụ 24/7") == "phục vụ hai mươi tư trên bảy"
    assert said("đạt 45/31 điểm") == "đạt bốn mươi lăm trên ba mươi mốt điểm"
    assert said("đạt từ 45/50 điểm") == "đạt từ bốn mươi lăm trên năm mươi điểm"


def test_left_as_written_is_named_in_explain():
    [change] = explain("Ngày 32/1/2024")[-1:]
    assert change.original == "32/1/2024" and change.spoken == "32/1/2024"
    assert "left as written" in change.rule


@pytest.mark.parametrize(
    ("written", "spoken"),
    [pair for family in CASES.values() for pair in family],
    ids=[f"{family}-{i}" for family, pairs in CASES.items() for i in range(len(pairs))],
)
def test_spoken_form(written, spoken):
    assert said(written) == spoken


def test_output_is_nfc_and_tidy():
    decomposed = unicodedata.normalize("NFD", "Ủy ban nhân dân   xã  ,  ngày 2/9 .")
    out = said(decomposed)
    assert out == unicodedata.normalize("NFC", out)
    assert out == "Ủy ban nhân dân xã, ngày hai tháng chín."


def test_empty_and_plain_text_pass_through():
    assert said("") == ""
    assert said("Kính thưa bà con.") == "Kính thưa bà con."


def test_explain_lists_spans_rules_and_spoken_forms():
    text = "Chỉ thị 11/CT-TTg ngày 29/3/2017 của UBND tỉnh, gọi 0220.3852.111"
    changes = explain(text)
    assert all(isinstance(c, Change) for c in changes)
    assert [(c.original, c.rule) for c in changes] == [
        ("11/CT-TTg", "document-number"),
        ("29/3/2017", "date"),
        ("UBND", "lexicon"),
        ("0220.3852.111", "phone"),
    ]
    for c in changes:
        assert text[c.start : c.end] == c.original
    assert changes[0].spoken == "số mười một"


def test_override_is_protected_from_other_rules():
    changes = explain("[[UBND 2024|ủy ban hai không hai tư]]")
    assert [(c.rule, c.spoken) for c in changes] == [("override", "ủy ban hai không hai tư")]


@pytest.mark.parametrize(
    ("spoken", "flagged"),
    [
        ("Ủy ban nhân dân xã", []),
        ("KẾ HOẠCH TUYÊN TRUYỀN", []),
        ("theo XYZQ và 17h30", ["XYZQ", "17h30"]),
        ("đạt 100%, số 11/CT", ["100%", "11/CT"]),
        ("TP.HCM và a & b", ["TP.HCM", "&"]),
        ("trong топ đầu", ["топ"]),
        ("Thủ tướng TTg", ["TTg"]),
    ],
)
def test_unspeakable(spoken, flagged):
    assert unspeakable(spoken) == flagged


def test_unknown_abbreviation_survives_and_is_flagged():
    out = said("Phối hợp với BQLDA xã")
    assert "BQLDA" in out
    assert unspeakable(out) == ["BQLDA"]
    # In brackets after words it does not abbreviate it is content, not a definition: still flagged.
    assert unspeakable(said("gặp ông Nguyễn Văn A (BQLDA) hôm qua")) == ["BQLDA"]


def test_plan_text_has_nothing_unspeakable_but_foreign_script():
    left = {tok for line in PLAN.read_text(encoding="utf-8").splitlines() for tok in unspeakable(said(line))}
    # The plan has one Cyrillic word ("топ", a typing slip for "top"); it is reported, not guessed.
    assert left == {"топ"}


# ---------------------------------------------------------------------------------------------
# The scorer and the development set


def test_scorer_rules():
    assert words("Hai mươi BỐN, lẻ ngàn!") == ["hai", "mươi", "tư", "linh", "nghìn"]
    assert words("bốn") == ["bốn"]
    assert score("mười bảy giờ ba mươi", "mười bảy giờ ba mươi phút || mười bảy giờ ba mươi") == (0, 5)
    assert score("a b c", "a x c") == (1, 3)
    assert corpus_wer([("a b", "a b"), ("a", "a b")]) == 0.25


def test_dev_set():
    cases = load_cases(DEV_SET)
    assert len(cases) >= 30
    outputs = [(normalise(c.text), c.expected) for c in cases]
    wer = corpus_wer(outputs)
    left = {c.line: unspeakable(out) for c, (out, _) in zip(cases, outputs, strict=True) if unspeakable(out)}
    assert left == {}
    assert wer <= 0.01, f"dev-set WER {wer:.2%}"


def test_bench_quick_mode_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent.parent / "bench" / "normalise.py"), "--quick"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert re.search(r"throughput: [\d,]+ lines/s", result.stdout)
    assert "dev-set WER: 0.00% over" in result.stdout


def test_suggestions_name_the_fix_without_guessing():
    from broadcast.speech.normalise import suggestion

    ambiguous = suggestion("TT")
    for reading in ("Thông tư", "Thường trực", "thị trấn"):
        assert reading in ambiguous
    assert "[[TT|<the reading meant>]]" in ambiguous and "`TT: <spoken form>`" in ambiguous
    assert "no such date" in suggestion("32/1/2024")
    unknown = suggestion("BQLDA")
    assert unknown.startswith("'BQLDA' may be misread; add it to the station lexicon as `BQLDA: <spoken form>`")
    assert "<full form> (BQLDA)" in unknown
    # The definition it suggests works: the abbreviation is then read as its full form.
    assert said("Ban quản lý dự án (BQLDA) họp; BQLDA báo cáo") == "Ban quản lý dự án họp; Ban quản lý dự án báo cáo"
