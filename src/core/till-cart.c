/* till-cart.c: to be written */
#include "till-cart.h"
