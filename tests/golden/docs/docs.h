// Doc comments in every form the scanner reads, and comments it must not take.
#pragma once

#include <cstdint>

#include <goray/annotations.h>

// A file comment, separated by a blank line: nobody's doc.

struct Options {
  /// The size.
  int64_t size = 0;
  int64_t depth = 0;  ///< The depth.
  int64_t width = 0;  // The width, in a plain trailing comment.
  /* A plain block comment. */
  int64_t height = 0;
  int64_t undocumented = 0;
};

struct GORAY_TASKS Documented {  // a trailing comment: not the next task's doc
  double First(double x);

  /// Three slashes,
  /// two lines.
  double Second(double x);

  /** A Javadoc block.
   *
   * With a second paragraph.
   */
  double Third(double x);

  // Plain slashes.
  double Fourth(Options options);

  // Separated by a blank line: not a doc.

  double Fifth(double x);
};
