/* till-pinyin.c: to be written */
#include "till-pinyin.h"
