/* till-journal.c: to be written */
#include "till-journal.h"
