/* till-printer-status.c: real-time printer status (DLE EOT n) over any transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-printer-status"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-printer-status.h"

#define DLE 0x10
#define EOT 0x04
#define ASB_LENGTH 4
/* Bytes of stale input dropped before asking, at most: a printer that streams
 * endlessly must not keep the query going. */
#define MAX_STALE_READS 16

static const struct
{
  TillPrinterStatusFlags flag;
  const char            *name;
} flag_names[] = {
  { TILL_PRINTER_STATUS_NO_ANSWER, "no-answer" },
  { TILL_PRINTER_STATUS_OFFLINE, "offline" },
  { TILL_PRINTER_STATUS_COVER_OPEN, "cover-open" },
  { TILL_PRINTER_STATUS_PAPER_NEAR_END, "paper-near-end" },
  { TILL_PRINTER_STATUS_PAPER_OUT, "paper-out" },
  { TILL_PRINTER_STATUS_ERROR, "error" },
  { TILL_PRINTER_STATUS_MECHANICAL_ERROR, "mechanical-error" },
  { TILL_PRINTER_STATUS_AUTOCUTTER_ERROR, "autocutter-error" },
  { TILL_PRINTER_STATUS_UNRECOVERABLE_ERROR, "unrecoverable-error" },
  { TILL_PRINTER_STATUS_AUTO_RECOVERABLE_ERROR, "auto-recoverable-error" },
  { TILL_PRINTER_STATUS_DRAWER_PIN3_HIGH, "drawer-pin3-high" },
  { TILL_PRINTER_STATUS_FEED_BUTTON, "feed-button" },
  { TILL_PRINTER_STATUS_WAITING_RECOVERY, "waiting-recovery" },
  { TILL_PRINTER_STATUS_PAPER_FED_BY_BUTTON, "paper-fed-by-button" },
};

#define NOT_READY                                                                                 \
  (TILL_PRINTER_STATUS_NO_ANSWER | TILL_PRINTER_STATUS_OFFLINE | TILL_PRINTER_STATUS_COVER_OPEN | \
   TILL_PRINTER_STATUS_PAPER_OUT | TILL_PRINTER_STATUS_ERROR |                                    \
   TILL_PRINTER_STATUS_MECHANICAL_ERROR | TILL_PRINTER_STATUS_AUTOCUTTER_ERROR |                  \
   TILL_PRINTER_STATUS_UNRECOVERABLE_ERROR | TILL_PRINTER_STATUS_AUTO_RECOVERABLE_ERROR)

/* Reads back one reply to DLE EOT, skipping garbage and ASB messages that
 * arrive in between (a printer with GS a on sends them at any time). Returns
 * the reply byte, -1 on timeout, -2 with @error set. */
static int
read_reply (TillTransport *transport, guint timeout_ms, guint *asb_skip, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
      guint8 byte;
      gssize n;

      if (left_ms <= 0)
        return -1;
      n = till_transport_read (transport, &byte, 1, (guint) left_ms, error);
      if (n < 0)
        return -2;
      if (n == 0)
        continue;
      if (*asb_skip > 0)
        (*asb_skip)--;
      else if (TILL_PRINTER_STATUS_IS_ASB (byte))
        *asb_skip = ASB_LENGTH - 1;
      else if (TILL_PRINTER_STATUS_IS_REPLY (byte))
        return byte;
      else
        g_debug ("%s: skipped byte 0x%02x while waiting for a status reply",
                 till_transport_get_uri (transport), byte);
    }
}

static void
query_thread_cb (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  TillPrinterStatus status;
  GError           *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (till_printer_status_query (source_object, GPOINTER_TO_UINT (task_data), &status, &error))
    g_task_return_pointer (task, g_memdup2 (&status, sizeof status), g_free);
  else
    g_task_return_error (task, error);
}

/**
 * till_printer_status_add_reply:
 * Decodes one DLE EOT @n reply (DEVICES.md §1.7) into @status. Paper near end
 * and paper end are each a pair of sensor bits; either bit counts, since clones
 * differ in which one they set.
 */
gboolean
till_printer_status_add_reply (TillPrinterStatus *status, guint n, guint8 byte)
{
  TillPrinterStatusFlags flags = 0;

  g_return_val_if_fail (status != NULL, FALSE);
  g_return_val_if_fail (n >= 1 && n <= 4, FALSE);

  if (!TILL_PRINTER_STATUS_IS_REPLY (byte))
    return FALSE;
  switch (n)
    {
    case 1:
      if (byte & 0x04)
        flags |= TILL_PRINTER_STATUS_DRAWER_PIN3_HIGH;
      if (byte & 0x08)
        flags |= TILL_PRINTER_STATUS_OFFLINE;
      if (byte & 0x20)
        flags |= TILL_PRINTER_STATUS_WAITING_RECOVERY;
      if (byte & 0x40)
        flags |= TILL_PRINTER_STATUS_FEED_BUTTON;
      break;
    case 2:
      if (byte & 0x04)
        flags |= TILL_PRINTER_STATUS_COVER_OPEN;
      if (byte & 0x08)
        flags |= TILL_PRINTER_STATUS_PAPER_FED_BY_BUTTON;
      if (byte & 0x20)
        flags |= TILL_PRINTER_STATUS_PAPER_OUT;
      if (byte & 0x40)
        flags |= TILL_PRINTER_STATUS_ERROR;
      break;
    case 3:
      if (byte & 0x04)
        flags |= TILL_PRINTER_STATUS_MECHANICAL_ERROR;
      if (byte & 0x08)
        flags |= TILL_PRINTER_STATUS_AUTOCUTTER_ERROR;
      if (byte & 0x20)
        flags |= TILL_PRINTER_STATUS_UNRECOVERABLE_ERROR;
      if (byte & 0x40)
        flags |= TILL_PRINTER_STATUS_AUTO_RECOVERABLE_ERROR;
      break;
    case 4:
      if (byte & 0x0c)
        flags |= TILL_PRINTER_STATUS_PAPER_NEAR_END;
      if (byte & 0x60)
        flags |= TILL_PRINTER_STATUS_PAPER_OUT;
      break;
    default:
      g_assert_not_reached ();
    }
  status->flags |= flags;
  status->replies[n] = byte;
  status->answered |= 1u << n;
  return TRUE;
}

gssize
till_printer_status_find_reply (const guint8 *data, gsize len)
{
  g_return_val_if_fail (data != NULL || len == 0, -1);

  for (gsize i = 0; i < len; i++)
    {
      if (TILL_PRINTER_STATUS_IS_ASB (data[i]))
        i += ASB_LENGTH - 1;
      else if (TILL_PRINTER_STATUS_IS_REPLY (data[i]))
        return (gssize) i;
    }
  return -1;
}

/**
 * till_printer_status_query:
 * Asks the printer behind @transport how it is. See the header for the rules.
 */
gboolean
till_printer_status_query (TillTransport     *transport,
                           guint              timeout_ms,
                           TillPrinterStatus *out_status,
                           GError           **error)
{
  static const guint8 order[] = { 1, 2, 4, 3 };
  TillPrinterStatus   status = { 0 };
  guint8              stale[64];
  guint               asb_skip = 0;

  g_return_val_if_fail (TILL_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (out_status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Whatever came back before we asked (late replies, ASB) is not an answer. */
  for (guint i = 0; i < MAX_STALE_READS; i++)
    {
      gssize n = till_transport_read (transport, stale, sizeof stale, 0, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const guint8 request[] = { DLE, EOT, order[i] };
      int          reply;

      /* The error causes only when the printer says there is an error. */
      if (order[i] == 3 && !(status.flags & TILL_PRINTER_STATUS_ERROR))
        continue;
      if (!till_transport_write_all (transport, request, sizeof request, error))
        return FALSE;
      reply = read_reply (transport, timeout_ms, &asb_skip, error);
      if (reply == -2)
        return FALSE;
      if (reply == -1)
        {
          /* One silence is enough: asking on would only multiply the wait. */
          status.flags |= TILL_PRINTER_STATUS_NO_ANSWER;
          break;
        }
      till_printer_status_add_reply (&status, order[i], (guint8) reply);
    }
  *out_status = status;
  return TRUE;
}

void
till_printer_status_query_async (TillTransport      *transport,
                                 guint               timeout_ms,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TILL_IS_TRANSPORT (transport));

  task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_source_tag (task, till_printer_status_query_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (timeout_ms), NULL);
  g_task_run_in_thread (task, query_thread_cb);
}

gboolean
till_printer_status_query_finish (TillTransport     *transport,
                                  GAsyncResult      *result,
                                  TillPrinterStatus *out_status,
                                  GError           **error)
{
  g_autofree TillPrinterStatus *status = NULL;

  g_return_val_if_fail (g_task_is_valid (result, transport), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == till_printer_status_query_async,
                        FALSE);
  g_return_val_if_fail (out_status != NULL, FALSE);

  status = g_task_propagate_pointer (G_TASK (result), error);
  if (status == NULL)
    return FALSE;
  *out_status = *status;
  return TRUE;
}

gboolean
till_printer_status_is_ready (const TillPrinterStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  return (status->flags & NOT_READY) == 0;
}

/**
 * till_printer_status_describe:
 * The line the till shows about its printer: what the cashier must do first.
 */
char *
till_printer_status_describe (const TillPrinterStatus *status)
{
  TillPrinterStatusFlags flags;

  g_return_val_if_fail (status != NULL, NULL);

  flags = status->flags;
  if (flags & TILL_PRINTER_STATUS_NO_ANSWER)
    return g_strdup (_ ("The printer does not answer: check that it is on and connected"));
  if (flags & TILL_PRINTER_STATUS_COVER_OPEN)
    return g_strdup (_ ("The printer cover is open"));
  if (flags & TILL_PRINTER_STATUS_PAPER_OUT)
    return g_strdup (_ ("The printer is out of paper"));
  if (flags & TILL_PRINTER_STATUS_AUTOCUTTER_ERROR)
    return g_strdup (_ ("The printer’s paper cutter is jammed"));
  if (flags & TILL_PRINTER_STATUS_UNRECOVERABLE_ERROR)
    return g_strdup (_ ("The printer has a fault: switch it off and on again"));
  if (flags & TILL_PRINTER_STATUS_MECHANICAL_ERROR)
    return g_strdup (_ ("The printer has a mechanical fault"));
  if (flags & TILL_PRINTER_STATUS_AUTO_RECOVERABLE_ERROR)
    return g_strdup (_ ("The printer is recovering from an error (the print head may be hot)"));
  if (flags & TILL_PRINTER_STATUS_ERROR)
    return g_strdup (_ ("The printer reports an error"));
  if (flags & TILL_PRINTER_STATUS_OFFLINE)
    return g_strdup (_ ("The printer is offline"));
  if (flags & TILL_PRINTER_STATUS_PAPER_NEAR_END)
    return g_strdup (_ ("The printer paper is running low"));
  return g_strdup (_ ("The printer is ready"));
}

char *
till_printer_status_flags_to_string (TillPrinterStatusFlags flags)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (flag_names); i++)
    if (flags & flag_names[i].flag)
      g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", flag_names[i].name);
  if (text->len == 0)
    g_string_append (text, "ok");
  return g_string_free (g_steal_pointer (&text), FALSE);
}
