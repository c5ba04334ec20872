# Per-generator CPack settings (CPACK_PROJECT_CONFIG_FILE). The archives hold the same tree as
# the Debian packages, rooted at / (usr/bin/…, etc/spidi/…, lib/systemd/…).
if(CPACK_GENERATOR STREQUAL "TGZ")
    set(CPACK_PACKAGING_INSTALL_PREFIX "/")
endif()
