/* till-product.c: to be written */
#include "till-product.h"
