/* till-sale.c: to be written */
#include "till-sale.h"
