# QĐ 130 fuzz target: the envelope decoder (GIAMDINHHS, form body, base64, inner tables).
gw_add_fuzz(qd130_envelope SOURCE ${GW_ROOT}/tests/fuzz/qd130_envelope_fuzz.cpp LIBS gw::qd130)
