/* till-catalog.c: to be written */
#include "till-catalog.h"
