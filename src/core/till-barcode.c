/* till-barcode.c: EAN/UPC check digits and the shape of scanned codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-barcode"

#include "config.h"

#include <string.h>

#include "till-barcode.h"

/* Longer than any linear barcode a scanner sends for a product (GS1-128 tops out
 * at 48 characters); anything longer is a stuck key or a pasted paragraph. */
#define MAX_CODE_LENGTH 48

/**
 * till_barcode_ean_check_digit:
 * @digits: the data digits, without the check digit
 * @n_digits: how many, e.g. 12 for EAN-13, 7 for EAN-8, 11 for UPC-A
 *
 * Computes the GS1 mod-10 check digit: weights 3 and 1 alternate from the
 * rightmost data digit, which has weight 3, so the same rule serves EAN-13,
 * EAN-8, UPC-A and GTIN-14.
 *
 * Returns: the check digit 0–9, or -1 when @digits holds anything but digits
 */
int
till_barcode_ean_check_digit (const char *digits, gsize n_digits)
{
  int sum = 0;

  g_return_val_if_fail (digits != NULL || n_digits == 0, -1);

  for (gsize i = 0; i < n_digits; i++)
    {
      char c = digits[n_digits - 1 - i];

      if (!g_ascii_isdigit (c))
        return -1;
      sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
    }
  return (10 - sum % 10) % 10;
}

/**
 * till_barcode_ean13_complete:
 * @twelve_digits: the first 12 digits of an EAN-13
 *
 * Returns: (transfer full) (nullable): the 13-digit code with its check digit, or
 *   %NULL when @twelve_digits is not exactly 12 digits
 */
char *
till_barcode_ean13_complete (const char *twelve_digits)
{
  char *code;
  int   check;

  g_return_val_if_fail (twelve_digits != NULL, NULL);

  if (strlen (twelve_digits) != 12)
    return NULL;
  check = till_barcode_ean_check_digit (twelve_digits, 12);
  if (check < 0)
    return NULL;
  code = g_malloc (14);
  memcpy (code, twelve_digits, 12);
  code[12] = (char) ('0' + check);
  code[13] = '\0';
  return code;
}

/**
 * till_barcode_classify:
 * @code: (nullable): a code as scanned or typed, without the scanner's line end
 *
 * Tells what kind of code @code is. Codes of 8, 12 or 13 digits are taken for
 * EAN-8, UPC-A and EAN-13 and their check digit is verified; other printable
 * codes (store codes, PLUs, Code 128) are %TILL_BARCODE_OTHER.
 */
TillBarcodeKind
till_barcode_classify (const char *code)
{
  gsize    length = 0;
  gboolean all_digits = TRUE;
  int      check;

  if (code == NULL || *code == '\0')
    return TILL_BARCODE_INVALID;

  for (const char *p = code; *p != '\0'; p++, length++)
    {
      guchar c = (guchar) *p;

      if (length >= MAX_CODE_LENGTH)
        return TILL_BARCODE_INVALID;
      /* Control characters (and DEL) never belong to a product code; a bare CR
       * or a stray escape sequence means the scanner or the input is broken. */
      if (c < 0x20 || c == 0x7f)
        return TILL_BARCODE_INVALID;
      if (!g_ascii_isdigit (c))
        all_digits = FALSE;
    }
  if (!g_utf8_validate (code, -1, NULL))
    return TILL_BARCODE_INVALID;

  if (!all_digits || (length != 8 && length != 12 && length != 13))
    return TILL_BARCODE_OTHER;

  check = till_barcode_ean_check_digit (code, length - 1);
  if (check != code[length - 1] - '0')
    return TILL_BARCODE_BAD_CHECK;

  switch (length)
    {
    case 8:
      return TILL_BARCODE_EAN8;
    case 12:
      return TILL_BARCODE_UPCA;
    default:
      return TILL_BARCODE_EAN13;
    }
}
