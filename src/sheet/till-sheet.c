/* being written (issue 11) */
#include "config.h"
