/* till-barcode.c: to be written */
#include "till-barcode.h"
