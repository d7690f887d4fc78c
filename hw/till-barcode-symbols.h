/* till-barcode-symbols.h: the bar patterns of the 1D symbologies
 *
 * What both sides of GS k need: the shelf labels draw EAN-13 and Code 128
 * bars themselves (for the PDF and for printers without GS k), and the
 * printer simulator draws what a printer would. One table each, here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The seven modules of an EAN/UPC digit (0-9) in set @set: 'L' (odd
 * parity), 'G' (even parity) or 'R' (right half); '1' a bar, '0' a space. */
const char *till_barcode_ean_digit (int digit, char set);

/* EAN-13's first digit is not drawn: it picks L or G for each of the next
 * six digits ("LGLLGG"). */
const char *till_barcode_ean13_parity (int first_digit);

#define TILL_BARCODE_CODE128_START_A 103
#define TILL_BARCODE_CODE128_START_B 104
#define TILL_BARCODE_CODE128_START_C 105
#define TILL_BARCODE_CODE128_STOP 106

/* The bar and space widths of Code 128 symbol @value (0-105, or STOP),
 * alternating and starting with a bar: "212222". */
const char *till_barcode_code128_widths (int value);

G_END_DECLS
