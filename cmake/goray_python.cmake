# The Python that runs goray-gen for an INSTALLED goray package (gorayConfig.cmake), chosen
# when find_package(goray) runs, never recorded from goray's own build:
#   1. -DGORAY_PYTHON=<python> (any Python 3 that can import Jinja2 and msgpack);
#   2. the interpreter of the environment that holds the package:
#      - <prefix>/bin/python: the dev install `cmake --install build --prefix .venv`;
#      - <env>/bin/python3 for a wheel in <env>/lib/pythonX.Y/site-packages/goray;
#   3. python3 found by CMake.
# When the package sits in a site-packages (the wheel), goray-gen runs with
# PYTHONPATH=<that site-packages>, so it imports this goray whichever Python runs it.
include_guard(GLOBAL)

function(_goray_find_python prefix python_var pythonpath_var)
  get_filename_component(_site "${prefix}" DIRECTORY)
  get_filename_component(_site_name "${_site}" NAME)
  if(_site_name MATCHES "^(site|dist)-packages$")
    set(_pythonpath "${_site}")
    # <env>/lib/pythonX.Y/site-packages -> <env>
    get_filename_component(_env "${_site}/../../.." ABSOLUTE)
    set(_candidates "${_env}/bin/python3" "${_env}/bin/python")
  else()
    set(_pythonpath "")
    set(_candidates "${prefix}/bin/python" "${prefix}/bin/python3")
  endif()
  set(${pythonpath_var} "${_pythonpath}" PARENT_SCOPE)
  if(${python_var})
    return()  # given: -DGORAY_PYTHON=...
  endif()
  foreach(_candidate IN LISTS _candidates)
    if(EXISTS "${_candidate}" AND NOT IS_DIRECTORY "${_candidate}")
      set(${python_var} "${_candidate}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  find_program(_goray_python3 NAMES python3 python DOC "goray: the Python that runs goray-gen")
  if(_goray_python3)
    set(${python_var} "${_goray_python3}" PARENT_SCOPE)
  else()
    set(${python_var} "python3-NOTFOUND" PARENT_SCOPE)
  endif()
endfunction()
