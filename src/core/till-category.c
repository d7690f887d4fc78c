/* till-category.c: to be written */
#include "till-category.h"
