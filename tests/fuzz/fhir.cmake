# Fuzz targets of the fhir module (the corpus is replayed as a test in every build).
gw_add_fuzz(fhir_json SOURCE ${GW_ROOT}/tests/fuzz/fhir_json_fuzz.cpp LIBS gw::fhir)
