# HL7 v2 fuzz targets: the parser (with encoder and ACK builder) and the MLLP framing codec.
gw_add_fuzz(hl7v2_parser SOURCE ${GW_ROOT}/tests/fuzz/hl7v2_parser_fuzz.cpp LIBS gw::hl7v2)
gw_add_fuzz(mllp SOURCE ${GW_ROOT}/tests/fuzz/mllp_fuzz.cpp LIBS gw::hl7v2)
