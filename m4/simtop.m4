dnl AX_CHECK_COMPILE_FLAG_SIMPLE(FLAG): append FLAG to WARN_CFLAGS when the compiler takes it.
AC_DEFUN([AX_CHECK_COMPILE_FLAG_SIMPLE], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  simtop_saved_cflags="$CFLAGS"
  CFLAGS="$CFLAGS -Werror $1"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); WARN_CFLAGS="$WARN_CFLAGS $1"],
    [AC_MSG_RESULT([no])])
  CFLAGS="$simtop_saved_cflags"
])
