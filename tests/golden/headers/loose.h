// A project header without an include guard: not scanned (the generated header could
// not include it a second time), with a warning at its #include.
struct Loose {
  int value = 0;
};
