/* till-cart-line.c: to be written */
#include "till-cart-line.h"
