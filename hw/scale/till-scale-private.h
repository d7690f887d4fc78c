/* till-scale-private.h: what a scale protocol driver gives TillScale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-scale.h"

G_BEGIN_DECLS

/* One protocol. TillScale does the I/O, the timeouts and the buffering; a
 * driver says which bytes to send and how to find a frame in what came back.
 *
 * setup:    reads the URI options (mode=…), gives the mode number the other
 *           ops get and whether the scale sends frames on its own.
 * request:  asks for one reading (NULL: a continuous scale, nothing to ask).
 *           May exchange bytes itself (a handshake) through
 *           _till_scale_write() and _till_scale_wait_for_byte().
 * parse:    looks for the first whole, valid frame in @buffer. Returns TRUE
 *           with the reading and *consumed = the end of that frame; FALSE with
 *           *consumed = how many leading bytes can never start a valid frame
 *           (garbage, a cut or corrupt frame), which TillScale drops.
 * tare, zero: command bytes, NULL when the protocol has none.
 * answers_commands: tare and zero are answered with a frame (awaited). */
typedef struct
{
  const char *name;
  const char *serial_defaults; /* URI query added when it names no settings */
  gboolean (*setup) (GHashTable *options, int *out_mode, gboolean *out_continuous, GError **error);
  gboolean (*request) (TillScale *scale, int mode, guint timeout_ms, GError **error);
  gboolean (*parse) (
      const guint8 *buffer, gsize len, int mode, gsize *consumed, TillScaleReading *reading);
  const char *tare;
  const char *zero;
  gboolean    answers_commands;
  /* Adam scales answer only a new weight: silence repeats the last reading for
   * this long (ms) before it counts as no answer. 0 = silence is no answer. */
  guint silence_repeats_ms;
} TillScaleProtocol;

gboolean _till_scale_write (TillScale *self, const void *data, gsize len, GError **error);
/* Reads until @byte arrives (TRUE, *out_seen), the time runs out (TRUE, not
 * seen) or the device fails (FALSE). Other bytes are dropped. */
gboolean _till_scale_wait_for_byte (
    TillScale *self, guint8 byte, guint timeout_ms, gboolean *out_seen, GError **error);

/* Shared parsing: a decimal weight "  -1.234", "001234" with @decimals given
 * when there is no point (-1: no point means whole units), in @unit, to grams.
 * FALSE when it is no number. */
gboolean _till_scale_parse_weight (
    const char *text, gsize len, int decimals, TillScaleUnit unit, gint64 *out_grams);
TillScaleUnit _till_scale_parse_unit (const char *text, gsize len);
/* The index of @byte in @buffer from @from, or -1. */
gssize _till_scale_find_byte (const guint8 *buffer, gsize len, gsize from, guint8 byte);

G_END_DECLS
