/* till-money.c: to be written */
#include "till-money.h"
