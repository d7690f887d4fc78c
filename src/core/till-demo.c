/* till-demo.c: to be written */
#include "till-demo.h"
