/* till-user.c: to be written */
#include "till-user.h"
