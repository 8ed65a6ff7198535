#!/usr/bin/env python3
"""Generate adapters/qd130/detail/field_table.inc from the reference sheets.

Inputs (data, not code): reference/qd130-4750-appendix.tsv (the QĐ 4750 appendix: every field of
every table) and reference/qd4750-vendor-validation-sheet.tsv (the vendor's reading of which fields
are required, and the type and maximum length after QĐ 4750). The QĐ 4210 field lists (Appendix A2
of vn-hospital-data.md) are below as data. Relaxations of the vendor sheet are listed in RELAX with
the reason for each; they are the only hand-made decisions.

Usage: gen_field_table.py <shared/reference dir> > adapters/qd130/detail/field_table.inc
"""
import re
import sys

TABLES = [  # sheet-name fragment -> table index (0 = check-in)
    ("check-in", 0), ("1_tong", 1), ("2_thuoc", 2), ("3_dvkt", 3), ("4_dich", 4),
    ("5_dien", 5), ("6_hiv", 6), ("7_giay", 7), ("8_tom", 8), ("8 _tom", 8),
    ("9_giay", 9), ("10_giay", 10), ("11_giay", 11), ("12_", 12), ("13_giay", 13),
    ("14_giay", 14), ("15_lao", 15),
]

# QĐ 4210 (legacy) fields, Appendix A2.
QD4210 = {
    1: "MA_LK STT MA_BN HO_TEN NGAY_SINH GIOI_TINH DIA_CHI MA_THE MA_DKBD GT_THE_TU GT_THE_DEN "
       "MIEN_CUNG_CT TEN_BENH MA_BENH MA_BENHKHAC MA_LYDO_VVIEN MA_NOI_CHUYEN MA_TAI_NAN NGAY_VAO "
       "NGAY_RA SO_NGAY_DTRI KET_QUA_DTRI TINH_TRANG_RV NGAY_TTOAN T_THUOC T_VTYT T_TONGCHI T_BNTT "
       "T_BNCCT T_BHTT T_NGUONKHAC T_NGOAIDS NAM_QT THANG_QT MA_LOAI_KCB MA_KHOA MA_CSKCB MA_KHUVUC "
       "MA_PTTT_QT CAN_NANG",
    2: "MA_LK STT MA_THUOC MA_NHOM TEN_THUOC DON_VI_TINH HAM_LUONG DUONG_DUNG LIEU_DUNG SO_DANG_KY "
       "TT_THAU PHAM_VI TYLE_TT SO_LUONG DON_GIA THANH_TIEN MUC_HUONG T_NGUON_KHAC T_BNTT T_BHTT "
       "T_BNCCT T_NGOAIDS MA_KHOA MA_BAC_SI MA_BENH NGAY_YL MA_PTTT",
    3: "MA_LK STT MA_DICH_VU MA_VAT_TU MA_NHOM GOI_VTYT TEN_VAT_TU TEN_DICH_VU DON_VI_TINH PHAM_VI "
       "SO_LUONG DON_GIA TT_THAU TYLE_TT THANH_TIEN T_TRANTT MUC_HUONG T_NGUONKHAC T_BNTT T_BHTT "
       "T_BNCCT T_NGOAIDS MA_KHOA MA_GIUONG MA_BAC_SI MA_BENH NGAY_YL NGAY_KQ MA_PTTT",
    4: "MA_LK STT MA_DICH_VU MA_CHI_SO TEN_CHI_SO GIA_TRI MA_MAY MO_TA KET_LUAN NGAY_KQ",
    5: "MA_LK STT DIEN_BIEN HOI_CHAN PHAU_THUAT NGAY_YL",
}
# 4210 required fields (the same core as the 130 "Như 4210" rows): only the episode key and the
# identity of the patient and the episode; everything else in legacy archives is checked loosely.
QD4210_REQUIRED = {
    1: "MA_LK MA_BN HO_TEN NGAY_SINH GIOI_TINH NGAY_VAO NGAY_RA MA_LOAI_KCB MA_CSKCB",
    2: "MA_LK MA_THUOC TEN_THUOC",
    3: "MA_LK",
    4: "MA_LK",
    5: "MA_LK",
}

# (table, field) -> (kind, reason). kind "optional" drops the requirement; "warn_if" keeps it but
# reports a miss as a warning when <field> has one of <values>; "until" keeps it only for episodes
# that ended before the date.
RELAX = {
    (1, "MAHUYEN_CU_TRU"): ("until", "20250701",
        "districts abolished 2025-07-01 (NQ 202/2025); vn-hospital-data.md §6, §8.9"),
    (9, "MAHUYEN_CU_TRU"): ("until", "20250701", "districts abolished 2025-07-01"),
    (12, "MAHUYEN_CU_TRU"): ("until", "20250701", "districts abolished 2025-07-01"),
    (3, "MA_BENH"): ("optional", "",
        "QĐ 130 text: 'ghi ... (nếu có)'; empty means the main diagnosis"),
    (2, "HAM_LUONG"): ("warn_if", "MA_THUOC=40.17,40.573",
        "medical gases (oxygen 40.17, nitric oxide 40.573) have no strength (GUESS)"),
    (2, "DUONG_DUNG"): ("warn_if", "MA_THUOC=40.17,40.573",
        "medical gases have no registered route code (GUESS)"),
    (2, "TT_THAU"): ("warn_if", "MA_THUOC=40.17,40.573",
        "medical gases are often bought outside drug tenders (GUESS)"),
}

FIELD_RE = re.compile(r"\b([A-Z][A-Z0-9_]{2,})\b")


def table_of(sheet):
    s = sheet.lower()
    for frag, idx in TABLES:
        if frag in s:
            return idx
    raise SystemExit("unknown sheet " + sheet)


def read_sheets(path):
    sheets = {}
    cur = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("=== SHEET"):
                cur = sheets.setdefault(table_of(line[len("=== SHEET"):]), [])
                continue
            cols = line.split("\t")
            if cur is None or len(cols) < 2:
                continue
            name = cols[1].strip()
            if re.fullmatch(r"[A-Z][A-Z0-9_]+", name):
                cur.append(cols)
    return sheets


def rule_of(text):
    """Vendor 'Bắt buộc' text -> (kind, cond_field, values)."""
    t = " ".join(text.split())
    low = t.lower()
    if t == "" or low.startswith("như") or low.startswith("giữ nguyên"):
        return ("none", "", "")
    if t == "x":
        return ("always", "", "")
    fields = [f for f in FIELD_RE.findall(t)]
    m = re.search(r"=\s*([0-9A-Z]+(?:\s*,\s*[0-9A-Z]+)*)\b", t)
    values = ",".join(v.strip() for v in m.group(1).split(",")) if m else ""
    quoted = re.search(r"mã \"(\w+)\"", t)
    if quoted:
        values = quoted.group(1)
    if "trừ mã nhóm" in low:
        return ("unless_in", "MA_NHOM", ",".join(re.findall(r"\d+", t)))
    if "không bắt buộc khi" in low:
        return ("unless_in", fields[0], values)
    if "not null" in low or "có dữ liệu" in low:
        return ("when_present", fields[0], "")
    if "= null" in low or "=  null" in low:
        return ("when_absent", fields[0] + "," + fields[1], "")
    if fields and values:
        return ("when_in", fields[0], values)
    raise SystemExit("unclassified requirement text: " + t)


def esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def main():
    ref = sys.argv[1]
    appendix = read_sheets(ref + "/qd130-4750-appendix.tsv")
    vendor = read_sheets(ref + "/qd4750-vendor-validation-sheet.tsv")
    out = []
    out.append("// Generated by adapters/qd130/tools/gen_field_table.py from reference/qd130-4750-appendix.tsv,")
    out.append("// reference/qd4750-vendor-validation-sheet.tsv and vn-hospital-data.md Appendix A2. Do not edit.")
    out.append("// { table, field, versions (1 = QĐ 130 family, 2 = QĐ 4210), numeric, max_length (0 = n),")
    out.append("//   requirement, cond_field, cond_values, relax, relax_arg, note }")
    for t in range(16):
        rows = {}
        order = []
        for cols in appendix.get(t, []):
            name = cols[1].strip()
            if name not in rows:
                rows[name] = {"v": 1, "num": False, "max": 0, "req": ("none", "", "")}
                order.append(name)
        for cols in vendor.get(t, []):
            name = cols[1].strip()
            if name not in rows:
                rows[name] = {"v": 1, "num": False, "max": 0, "req": ("none", "", "")}
                order.append(name)
            r = rows[name]
            r["num"] = cols[2].strip().lower().startswith("số") if len(cols) > 2 else False
            mx = cols[3].strip() if len(cols) > 3 else ""
            r["max"] = int(mx) if mx.isdigit() else 0
            r["req"] = rule_of(cols[5] if len(cols) > 5 else "")
        for name in QD4210.get(t, "").split():
            if name in rows:
                rows[name]["v"] |= 2
            else:
                rows[name] = {"v": 2, "num": False, "max": 0, "req": ("none", "", "")}
                order.append(name)
        for name in QD4210_REQUIRED.get(t, "").split():
            rows[name]["req4210"] = True
        for name in order:
            r = rows[name]
            kind, cf, cv = r["req"]
            relax, rarg, note = RELAX.get((t, name), ("none", "", ""))
            if relax == "optional":
                kind, cf, cv = "none", "", ""
            out.append('{%d, "%s", %d, %s, %d, req::%s, "%s", "%s", relax::%s, "%s", %s, %s},' % (
                t, name, r["v"], "true" if r["num"] else "false", r["max"], kind, cf, cv,
                "none" if relax == "optional" else relax, esc(rarg),
                "true" if r.get("req4210") else "false", '"' + esc(note) + '"'))
    print("\n".join(out))


main()
