/* till-scale-xk3190.c: scale protocol: 耀华 XK3190 连续方式1 (DEVICES.md §2.6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scale"

#include "config.h"

#include "till-scale-xk3190.h"

/* The indicator sends, continuously, 12 bytes [S14][S15]:
 *   02  '+'|'-'  six weight digits (high first)  decimals '0'-'4'  XOR-hi XOR-lo  03
 * the XOR over bytes 1-8 as two hex ASCII digits; +20.00 is
 * 02 2B 30 30 32 30 30 30 32 31 42 03. Nothing says stable or overload:
 * a frame is a stable weight, negative when signed, in kg (retail setting). No
 * tare or zero command. */
#define STX 0x02
#define ETX 0x03
#define FRAME 12

static int
hex_value (guint8 c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static gboolean
parse_frame (const guint8 *frame, TillScaleReading *reading)
{
  guint8 xor = 0;
  int hi = hex_value (frame[9]);
  int lo = hex_value (frame[10]);
  int decimals;

  if (frame[11] != ETX || hi < 0 || lo < 0)
    return FALSE;
  for (gsize i = 1; i <= 8; i++)
    xor ^= frame[i];
  if (xor != (hi << 4 | lo))
    return FALSE;
  if (frame[1] != '+' && frame[1] != '-')
    return FALSE;
  for (gsize i = 2; i < 8; i++)
    if (!g_ascii_isdigit (frame[i]))
      return FALSE;
  if (frame[8] < '0' || frame[8] > '4')
    return FALSE;
  decimals = frame[8] - '0';

  *reading = (TillScaleReading){ .tare = TILL_SCALE_TARE_UNKNOWN, .unit = TILL_SCALE_UNIT_KG };
  if (!_till_scale_parse_weight ((const char *) frame + 2, 6, decimals, TILL_SCALE_UNIT_KG,
                                 &reading->weight))
    return FALSE;
  if (frame[1] == '-')
    reading->weight = -reading->weight;
  reading->state = reading->weight < 0 ? TILL_SCALE_STATE_NEGATIVE : TILL_SCALE_STATE_STABLE;
  return TRUE;
}

static gboolean
xk3190_parse (const guint8 *buffer, gsize len, int mode, gsize *consumed, TillScaleReading *reading)
{
  gsize start = 0;

  while (TRUE)
    {
      gssize stx = _till_scale_find_byte (buffer, len, start, STX);

      if (stx < 0)
        {
          *consumed = len;
          return FALSE;
        }
      if (len - (gsize) stx < FRAME)
        {
          *consumed = (gsize) stx;
          return FALSE;
        }
      if (parse_frame (buffer + stx, reading))
        {
          *consumed = (gsize) stx + FRAME;
          return TRUE;
        }
      start = (gsize) stx + 1;
    }
}

static gboolean
xk3190_setup (GHashTable *options, int *out_mode, gboolean *out_continuous, GError **error)
{
  *out_mode = 0;
  *out_continuous = TRUE;
  return TRUE;
}

const TillScaleProtocol till_scale_protocol_xk3190 = {
  .name = "xk3190",
  .serial_defaults = "baud=9600&bits=8&parity=none&stop=1",
  .setup = xk3190_setup,
  .parse = xk3190_parse,
};
