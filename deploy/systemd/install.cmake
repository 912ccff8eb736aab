# Run by `cmake --install` (see the top CMakeLists.txt): the systemd units of this directory into
# <prefix>/lib/systemd/system, with /opt/journey, the prefix they are written for, replaced by the
# prefix installed to, so that ExecStart names the programs just installed (docs/operations.md).
file (GLOB units "${CMAKE_CURRENT_LIST_DIR}/*.service" "${CMAKE_CURRENT_LIST_DIR}/*.target")
set (destination "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
foreach (unit IN LISTS units)
    get_filename_component (name "${unit}" NAME)
    file (READ "${unit}" text)
    string (REPLACE "/opt/journey/" "${CMAKE_INSTALL_PREFIX}/" text "${text}")
    message (STATUS "Installing: $ENV{DESTDIR}${destination}/${name}")
    file (WRITE "$ENV{DESTDIR}${destination}/${name}" "${text}")
    list (APPEND CMAKE_INSTALL_MANIFEST_FILES "$ENV{DESTDIR}${destination}/${name}")
endforeach ()
