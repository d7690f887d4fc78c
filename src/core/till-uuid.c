/* till-uuid.c: to be written */
#include "till-uuid.h"
