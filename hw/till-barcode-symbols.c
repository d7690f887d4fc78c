/* till-barcode-symbols.c: the bar patterns of the 1D symbologies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-barcode-symbols.h"

static const char *const ean_l[] = { "0001101", "0011001", "0010011", "0111101", "0100011",
                                     "0110001", "0101111", "0111011", "0110111", "0001011" };
static const char *const ean_g[] = { "0100111", "0110011", "0011011", "0100001", "0011101",
                                     "0111001", "0000101", "0010001", "0001001", "0010111" };
static const char *const ean_r[] = { "1110010", "1100110", "1101100", "1000010", "1011100",
                                     "1001110", "1010000", "1000100", "1001000", "1110100" };
static const char *const ean_parity[] = { "LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
                                          "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL" };

/* Values 0-105, then the stop (with its final bar). */
static const char *const code128_widths[] = {
  "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",  "132212",
  "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122",  "123221",
  "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122",  "321221",
  "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123",  "131321",
  "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331",  "132131",
  "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311",  "213131",
  "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411",  "431111",
  "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412",  "122114",
  "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",  "111242",
  "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211",  "212141",
  "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113",  "411311",
  "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
};

G_STATIC_ASSERT (G_N_ELEMENTS (code128_widths) == TILL_BARCODE_CODE128_STOP + 1);

const char *
till_barcode_ean_digit (int digit, char set)
{
  g_return_val_if_fail (digit >= 0 && digit <= 9, NULL);

  switch (set)
    {
    case 'L':
      return ean_l[digit];
    case 'G':
      return ean_g[digit];
    case 'R':
      return ean_r[digit];
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
till_barcode_ean13_parity (int first_digit)
{
  g_return_val_if_fail (first_digit >= 0 && first_digit <= 9, NULL);
  return ean_parity[first_digit];
}

const char *
till_barcode_code128_widths (int value)
{
  g_return_val_if_fail (value >= 0 && value <= TILL_BARCODE_CODE128_STOP, NULL);
  return code128_widths[value];
}
