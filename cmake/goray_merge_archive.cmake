# cmake -DARCHIVE=<a> -DADD=<b> -DAR=<ar> -DWORK=<dir> -P goray_merge_archive.cmake
# Appends every object of archive ADD to archive ARCHIVE (goray's packaged runtime takes
# libbacktrace's objects this way: the application links one archive).
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${AR}" x "${ADD}" WORKING_DIRECTORY "${WORK}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "goray: cannot extract ${ADD} (${AR} x: ${status})")
endif()
file(GLOB objects "${WORK}/*.o")
if(NOT objects)
  message(FATAL_ERROR "goray: ${ADD} holds no objects")
endif()
list(SORT objects)  # a fixed order: the same archive from the same inputs
execute_process(COMMAND "${AR}" qs "${ARCHIVE}" ${objects} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "goray: cannot add ${ADD}'s objects to ${ARCHIVE} (${AR} qs: ${status})")
endif()
file(REMOVE_RECURSE "${WORK}")
