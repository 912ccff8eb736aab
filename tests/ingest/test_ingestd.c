int main (void) { return 77; } /* being written */
