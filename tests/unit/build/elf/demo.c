extern const char *zlibVersion(void);
extern int foo_answer(void);
int demo(void) { return foo_answer() + (zlibVersion() != 0); }
