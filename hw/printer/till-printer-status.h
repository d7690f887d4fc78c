/* till-printer-status.h: real-time printer status (DLE EOT n) over any transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-transport.h"

G_BEGIN_DECLS

/* What the printer said about itself (DEVICES.md §1.7). NO_ANSWER is its own
 * state: the printer (or the transport) said nothing before the timeout. */
typedef enum
{
  TILL_PRINTER_STATUS_OK = 0,
  TILL_PRINTER_STATUS_NO_ANSWER = 1 << 0,
  TILL_PRINTER_STATUS_OFFLINE = 1 << 1,                /* n=1 bit 3 */
  TILL_PRINTER_STATUS_COVER_OPEN = 1 << 2,             /* n=2 bit 2 */
  TILL_PRINTER_STATUS_PAPER_NEAR_END = 1 << 3,         /* n=4 bits 2+3 */
  TILL_PRINTER_STATUS_PAPER_OUT = 1 << 4,              /* n=4 bits 5+6, or n=2 bit 5 */
  TILL_PRINTER_STATUS_ERROR = 1 << 5,                  /* n=2 bit 6 */
  TILL_PRINTER_STATUS_MECHANICAL_ERROR = 1 << 6,       /* n=3 bit 2 */
  TILL_PRINTER_STATUS_AUTOCUTTER_ERROR = 1 << 7,       /* n=3 bit 3 */
  TILL_PRINTER_STATUS_UNRECOVERABLE_ERROR = 1 << 8,    /* n=3 bit 5 */
  TILL_PRINTER_STATUS_AUTO_RECOVERABLE_ERROR = 1 << 9, /* n=3 bit 6 */
  TILL_PRINTER_STATUS_DRAWER_PIN3_HIGH = 1 << 10,    /* n=1 bit 2: a level, see the drawer model */
  TILL_PRINTER_STATUS_FEED_BUTTON = 1 << 11,         /* n=1 bit 6 */
  TILL_PRINTER_STATUS_WAITING_RECOVERY = 1 << 12,    /* n=1 bit 5 */
  TILL_PRINTER_STATUS_PAPER_FED_BY_BUTTON = 1 << 13, /* n=2 bit 3 */
} TillPrinterStatusFlags;

typedef struct
{
  TillPrinterStatusFlags flags;
  guint8                 replies[5]; /* the byte DLE EOT n answered, by n */
  guint8                 answered;   /* bit n set when DLE EOT n was answered */
} TillPrinterStatus;

/* 0x12-style replies match 0xx1xx10 (mask 0x93 → 0x12); ASB first bytes match
 * 0xx1xx00 (mask 0x93 → 0x10). */
#define TILL_PRINTER_STATUS_IS_REPLY(b) (((b) &0x93) == 0x12)
#define TILL_PRINTER_STATUS_IS_ASB(b) (((b) &0x93) == 0x10)

/* Adds what reply @byte to DLE EOT @n (1-4) says to @status. A byte that does
 * not match the reply pattern changes nothing and returns FALSE. */
gboolean till_printer_status_add_reply (TillPrinterStatus *status, guint n, guint8 byte);

/* Finds the first status reply in bytes read back from a printer, skipping
 * garbage and whole 4-byte ASB messages (GS a); returns its offset or -1. */
gssize till_printer_status_find_reply (const guint8 *data, gsize len);

/* Asks DLE EOT 1, 2 and 4 (and 3 when the printer reports an error), waiting
 * at most @timeout_ms for each answer. Returns FALSE with @error only when the
 * transport fails (unplugged, reset) or cannot read back (file://, cups://); a
 * printer that does not answer is TILL_PRINTER_STATUS_NO_ANSWER. Blocking: run
 * it in a worker thread or use the _async variant. */
gboolean till_printer_status_query (TillTransport     *transport,
                                    guint              timeout_ms,
                                    TillPrinterStatus *out_status,
                                    GError           **error);
void     till_printer_status_query_async (TillTransport      *transport,
                                          guint               timeout_ms,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean till_printer_status_query_finish (TillTransport     *transport,
                                           GAsyncResult      *result,
                                           TillPrinterStatus *out_status,
                                           GError           **error);

/* Whether a receipt sent now would print (no answer counts as not ready). */
gboolean till_printer_status_is_ready (const TillPrinterStatus *status);
/* One translated line for the screen, the most urgent problem first, e.g.
 * “The printer is out of paper”. */
char *till_printer_status_describe (const TillPrinterStatus *status) G_GNUC_WARN_UNUSED_RESULT;
/* The flags as short English words for logs and `hw status`, e.g.
 * "offline paper-out". */
char *till_printer_status_flags_to_string (TillPrinterStatusFlags flags) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
