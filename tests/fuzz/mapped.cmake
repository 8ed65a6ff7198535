# Mapping engine fuzz target: the delimited-text reader (and the engine over what it reads).
gw_add_fuzz(mapped_delimited SOURCE ${GW_ROOT}/tests/fuzz/mapped_delimited_fuzz.cpp LIBS gw::mapped)
