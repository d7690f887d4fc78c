/* till-barcode.h: EAN/UPC check digits and the shape of scanned codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TILL_BARCODE_INVALID,   /* empty, control characters, or too long */
  TILL_BARCODE_EAN13,     /* 13 digits with a correct check digit (also UPC-A with a 0 prefix) */
  TILL_BARCODE_EAN8,      /* 8 digits with a correct check digit */
  TILL_BARCODE_UPCA,      /* 12 digits with a correct check digit */
  TILL_BARCODE_BAD_CHECK, /* 8, 12 or 13 digits whose check digit is wrong */
  TILL_BARCODE_OTHER,     /* any other printable code: store codes, Code 128, … */
} TillBarcodeKind;

TillBarcodeKind till_barcode_classify (const char *code);
int             till_barcode_ean_check_digit (const char *digits, gsize n_digits);
char           *till_barcode_ean13_complete (const char *twelve_digits);

G_END_DECLS
