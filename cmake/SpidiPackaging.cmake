# Install rules and CPack configuration (docs/release.md). Components:
#   server  -> spidi-server_<version>_<arch>.deb: the server, its systemd unit, /etc/spidi/server.conf,
#              the SQL migrations (also compiled into the binary) and the operator docs
#   tools   -> spidi-tools_<version>_<arch>.deb: spidi-sim, spidi-bench, spidi-client-example
#   desktop -> spidi-desktop_<version>_<arch>.deb (when the desktop target exists)
# plus one .tar.gz per component. `./scripts/package` builds Release and runs CPack.
include(GNUInstallDirs)

set(SPIDI_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(SPIDI_MAINTAINER "Spidi release team <release@spidi-project.org>")

# --- per-package documentation: copyright and a compressed Debian changelog ---------------
if(DEFINED ENV{SOURCE_DATE_EPOCH})
    string(TIMESTAMP SPIDI_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
else()
    execute_process(COMMAND git log -1 --format=%cD
        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
        OUTPUT_VARIABLE SPIDI_CHANGELOG_DATE OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE _spidi_git_date ERROR_QUIET)
    if(NOT _spidi_git_date EQUAL 0 OR SPIDI_CHANGELOG_DATE STREQUAL "")
        string(TIMESTAMP SPIDI_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
    endif()
endif()

function(spidi_package_docs component package)
    set(SPIDI_PACKAGE ${package})
    set(dir ${CMAKE_BINARY_DIR}/packaging/${package})
    # A native package (the version has no Debian revision): the changelog is changelog.gz.
    configure_file(${SPIDI_PACKAGING_DIR}/debian/changelog.in ${dir}/changelog @ONLY)
    # gzip -9n: maximum compression and no time stamp, as Debian policy (and lintian) ask.
    execute_process(COMMAND gzip -9nf ${dir}/changelog RESULT_VARIABLE gzipped)
    if(NOT gzipped EQUAL 0)
        message(FATAL_ERROR "gzip of ${dir}/changelog failed")
    endif()
    install(FILES ${dir}/changelog.gz ${SPIDI_PACKAGING_DIR}/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package}
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT ${component})
endfunction()

# --- manual pages, from each program's --help and --version (help2man) ----------------------
find_program(HELP2MAN_PROGRAM help2man)
set(SPIDI_MAN_PAGES)
function(spidi_man_page target summary component)
    if(NOT HELP2MAN_PROGRAM)
        return()
    endif()
    set(page ${CMAKE_BINARY_DIR}/man/${target}.1)
    # Run through PATH so that the usage line names the program, not the build directory.
    add_custom_command(OUTPUT ${page}.gz
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
        COMMAND ${CMAKE_COMMAND} -E env PATH=$<TARGET_FILE_DIR:${target}>:$ENV{PATH}
                QT_QPA_PLATFORM=offscreen
                ${HELP2MAN_PROGRAM} --no-info --no-discard-stderr --name=${summary}
                --output=${page} ${target}
        COMMAND gzip -9nf ${page}
        DEPENDS ${target}
        COMMENT "Manual page for ${target}"
        VERBATIM)
    set(SPIDI_MAN_PAGES ${SPIDI_MAN_PAGES} ${page}.gz PARENT_SCOPE)
    install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT ${component} OPTIONAL)
endfunction()
spidi_man_page(spidi-server "real-time presence monitoring server" server)
spidi_man_page(spidi-sim "simulate a fleet of Spidi devices" tools)
spidi_man_page(spidi-bench "load generator and measurement tool for spidi-server" tools)
spidi_man_page(spidi-client-example "join a Spidi room as one device" tools)
if(TARGET spidi-desktop AND SPIDI_DESKTOP_INSTALL_RULES)
    spidi_man_page(spidi-desktop "Spidi desktop console" desktop)
endif()
if(SPIDI_MAN_PAGES)
    add_custom_target(spidi_man_pages ALL DEPENDS ${SPIDI_MAN_PAGES})
endif()

# --- server ---------------------------------------------------------------------------------
install(TARGETS spidi-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
# 0644 in the package; postinst makes it root:spidi 0640 (it may come to hold secrets).
install(FILES ${SPIDI_PACKAGING_DIR}/server.conf
    DESTINATION /etc/spidi
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    COMPONENT server)
# Debian 12 keeps unit files of packages in /lib/systemd/system.
install(FILES ${SPIDI_PACKAGING_DIR}/spidi-server.service
    DESTINATION /lib/systemd/system
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    COMPONENT server)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sql/
    DESTINATION ${CMAKE_INSTALL_DATADIR}/spidi/sql
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    COMPONENT server)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
    ${PROJECT_SOURCE_DIR}/docs/install.md ${PROJECT_SOURCE_DIR}/docs/configuration.md
    ${PROJECT_SOURCE_DIR}/docs/deployment.md ${PROJECT_SOURCE_DIR}/docs/rest-api.md
    ${PROJECT_SOURCE_DIR}/docs/protocol.md ${PROJECT_SOURCE_DIR}/docs/alerts.md
    DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/spidi-server
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    COMPONENT server)
spidi_package_docs(server spidi-server)

# --- tools ----------------------------------------------------------------------------------
install(TARGETS spidi-sim spidi-bench spidi-client-example
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
install(FILES ${PROJECT_SOURCE_DIR}/docs/client.md ${PROJECT_SOURCE_DIR}/docs/performance.md
    DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/spidi-tools
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    COMPONENT tools)
spidi_package_docs(tools spidi-tools)

set(SPIDI_PACKAGE_COMPONENTS server tools)
# The desktop package comes with its install rules (.desktop entry, icons, metainfo: issue 7).
if(TARGET spidi-desktop AND SPIDI_DESKTOP_INSTALL_RULES)
    list(APPEND SPIDI_PACKAGE_COMPONENTS desktop)
    spidi_package_docs(desktop spidi-desktop)
endif()

# --- CPack ----------------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME spidi)
set(CPACK_PACKAGE_VENDOR "The Spidi authors")
set(CPACK_PACKAGE_VERSION ${SPIDI_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Real-time presence monitoring")
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
set(CPACK_PACKAGE_CONTACT ${SPIDI_MAINTAINER})
set(CPACK_PACKAGE_INSTALL_DIRECTORY Spidi)
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_COMPONENTS_ALL ${SPIDI_PACKAGE_COMPONENTS})
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
# /etc/spidi and /lib/systemd/system are absolute destinations: stage everything under DESTDIR
# so that no generator ever writes to the build machine's /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/SpidiCPackOptions.cmake)
set(CPACK_ARCHIVE_COMPONENT_INSTALL ON)
set(CPACK_ARCHIVE_SERVER_FILE_NAME spidi-server_${SPIDI_VERSION}_${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_ARCHIVE_TOOLS_FILE_NAME spidi-tools_${SPIDI_VERSION}_${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_ARCHIVE_DESKTOP_FILE_NAME spidi-desktop_${SPIDI_VERSION}_${CMAKE_SYSTEM_PROCESSOR})

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${SPIDI_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
# Shared-library dependencies from dpkg-shlibdeps; what is loaded at run time (Qt plugins, QML
# modules) is not linked, so it is listed by hand below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME spidi-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54), libqt6sql6-sqlite, libqt6sql6-psql")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "postgresql, redis-server")
set(CPACK_DEBIAN_SERVER_DESCRIPTION "Spidi presence server
 Devices connect over WebSocket and join rooms; the server tracks who is
 online, on which device and with what latency, keeps the history, fires
 alerts (in-app, webhook, e-mail) and streams live room metrics and rosters
 to the Spidi desktop console. It runs on SQLite with an in-process store by
 default, or on PostgreSQL and Redis as several instances.")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${SPIDI_PACKAGING_DIR}/debian/server/conffiles
    ${SPIDI_PACKAGING_DIR}/debian/server/postinst
    ${SPIDI_PACKAGING_DIR}/debian/server/prerm
    ${SPIDI_PACKAGING_DIR}/debian/server/postrm)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME spidi-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "Spidi simulator, load generator and client example
 spidi-sim simulates a fleet of devices in rooms (for demos and tests);
 spidi-bench measures a Spidi server under load (connections held, heartbeat
 latency percentiles, join-to-dashboard time, server CPU and memory);
 spidi-client-example shows the device client library.")

set(CPACK_DEBIAN_DESKTOP_PACKAGE_NAME spidi-desktop)
set(CPACK_DEBIAN_DESKTOP_PACKAGE_SECTION net)
# What spidi-desktop loads at run time, which dpkg-shlibdeps cannot see. Found from the QML
# imports (`grep -rh '^import' desktop/qml | sort -u`) and the modules those import in turn
# (their qmldir files), then by running the built app under strace and `dpkg -S` on every
# qmldir and plugin it opened. Debian's qml6-module-* packages do not depend on each other, so
# each is listed: QtQml needs QtQml.Models and QtQml.WorkerScript; QtQuick.Window comes with
# QtQuick; QtQuick.Controls (Material style, its impl, Basic) needs QtQuick.Templates; the
# FileDialog of QtQuick.Dialogs, when the desktop has no native one, is the Qt Quick one and
# imports Qt.labs.folderlistmodel ("module is not installed" without it). The xcb platform
# plugin is in libqt6gui6 (from shlibdeps); qt6-wayland is optional (Qt falls back to xcb).
# QtCharts (the room detail page's charts) is qml6-module-qtcharts.
set(CPACK_DEBIAN_DESKTOP_PACKAGE_DEPENDS "qml6-module-qtqml, qml6-module-qtqml-models, \
qml6-module-qtqml-workerscript, qml6-module-qtquick, qml6-module-qtquick-window, \
qml6-module-qtquick-templates, qml6-module-qtquick-controls, qml6-module-qtquick-layouts, \
qml6-module-qtquick-dialogs, qml6-module-qt-labs-folderlistmodel, qml6-module-qtcharts")
set(CPACK_DEBIAN_DESKTOP_DESCRIPTION "Spidi desktop console
 The Qt Quick console that monitoring staff and admins use with a Spidi
 server: a live dashboard of rooms, room details with charts and rosters,
 the alert inbox and the editors.")

# Windows and macOS: configured here, built on those platforms only (docs/release.md). There
# the Qt libraries, plugins and QML modules are deployed next to the binaries (Qt 6.4's deploy
# scripts, a technology preview); on Debian the distribution's Qt packages are used instead.
if(WIN32 OR APPLE)
    if(APPLE)
        set(CPACK_GENERATOR DragNDrop TGZ)
    else()
        set(CPACK_GENERATOR NSIS ZIP)
    endif()
    qt_generate_deploy_app_script(TARGET spidi-server FILENAME_VARIABLE spidi_server_deploy)
    install(SCRIPT ${spidi_server_deploy} COMPONENT server)
    if(TARGET spidi-desktop)
        qt_generate_deploy_qml_app_script(TARGET spidi-desktop
            FILENAME_VARIABLE spidi_desktop_deploy)
        install(SCRIPT ${spidi_desktop_deploy} COMPONENT desktop)
    endif()
endif()
set(CPACK_NSIS_DISPLAY_NAME "Spidi")
set(CPACK_NSIS_PACKAGE_NAME "Spidi ${SPIDI_VERSION}")
set(CPACK_NSIS_URL_INFO_ABOUT ${PROJECT_HOMEPAGE_URL})
set(CPACK_NSIS_MODIFY_PATH OFF)
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_DMG_VOLUME_NAME "Spidi ${SPIDI_VERSION}")
set(CPACK_DMG_FORMAT UDZO)

include(CPack)
