/* till-scale-sim.c: scales that speak each protocol byte for byte over a pty
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sim"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "till-pty.h"
#include "till-scale-sim.h"

/* The frames follow DEVICES.md §2, the same facts the drivers in hw/scale/
 * read; where a protocol has no way to say something (Adam, CAS PD-II and the
 * XK3190 have no motion or overload flag) the simulated scale says nothing, as
 * such a scale does not print an unstable weight. */
#define FRAME_INTERVAL_US (20 * G_TIME_SPAN_MILLISECOND)

typedef enum
{
  KIND_TOLEDO,
  KIND_ADAM,
  KIND_CAS_PD2,
  KIND_CAS,
  KIND_ACLAS,
  KIND_XK3190,
} Kind;

static const char *const kind_names[] = { "toledo-8217", "adam",       "cas-pd2",
                                          "cas",         "aclas-os2x", "xk3190" };

typedef struct
{
  Kind     kind;
  gboolean continuous;
  gboolean passive; /* aclas */
  gboolean generic; /* cas: the generic Chinese indicator form */
} Dialect;

struct _TillScaleSim
{
  Dialect dialect;
  char   *uri;
  char   *device_path;

  GThread *thread; /* NULL in process */
  gint     stop;   /* atomic */

  GMutex                lock; /* everything below */
  int                   master;
  gboolean              unplug_requested;
  gint64                weight; /* gross, on the platter */
  gint64                tare;
  gint64                zero;
  TillScaleSimCondition condition;
  gboolean              silent;
  gboolean              cut_next;
  GByteArray           *inject;
  GByteArray           *input;
  guint                 n_tare, n_zero, n_requests;
  gboolean              adam_reported;
  gint64                adam_last;
  gint64                next_frame_us;
  /* In process: what the scale sent and nobody read yet; changed signals new
   * output, and unplugged ends both directions. */
  GByteArray *output;
  GCond       changed;
  gboolean    unplugged;
};

static gboolean
parse_dialect (const char *protocol, const char *options, Dialect *out, GError **error)
{
  g_autoptr (GHashTable) params = NULL;
  const char *mode;
  guint       kind;

  for (kind = 0; kind < G_N_ELEMENTS (kind_names); kind++)
    if (g_strcmp0 (kind_names[kind], protocol) == 0)
      break;
  if (kind == G_N_ELEMENTS (kind_names))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "No scale simulator for “%s”",
                   protocol);
      return FALSE;
    }
  params = options != NULL ? g_uri_parse_params (options, -1, "&", G_URI_PARAMS_NONE, error)
                           : g_hash_table_new (g_str_hash, g_str_equal);
  if (params == NULL)
    return FALSE;
  mode = g_hash_table_lookup (params, "mode");

  *out = (Dialect){ .kind = (Kind) kind };
  switch (out->kind)
    {
    case KIND_ADAM:
      out->continuous = g_strcmp0 (mode, "continuous") == 0;
      break;
    case KIND_CAS:
      out->continuous = g_strcmp0 (mode, "request") != 0;
      out->generic = g_strcmp0 (g_hash_table_lookup (params, "variant"), "generic") == 0;
      break;
    case KIND_ACLAS:
      out->passive = g_strcmp0 (mode, "passive") == 0;
      out->continuous = !out->passive;
      break;
    case KIND_XK3190:
      out->continuous = TRUE;
      break;
    case KIND_TOLEDO:
    case KIND_CAS_PD2:
    default:
      break;
    }
  return TRUE;
}

static void
append_string (GByteArray *out, const char *text)
{
  g_byte_array_append (out, (const guint8 *) text, (guint) strlen (text));
}

static void
append_byte (GByteArray *out, guint8 byte)
{
  g_byte_array_append (out, &byte, 1);
}

/* "1.234" for 1234 g, without sign, the whole kilograms @width wide (padded
 * with zeros or blanks). */
static char *
format_kg (gint64 grams, int width, gboolean zeros)
{
  int kg = (int) (ABS (grams) / 1000);
  int rest = (int) (ABS (grams) % 1000);

  return zeros ? g_strdup_printf ("%0*d.%03d", width, kg, rest)
               : g_strdup_printf ("%*d.%03d", width, kg, rest);
}

/* One frame for @net_grams under @condition; an empty array when the protocol
 * has nothing to send for it. */
static GByteArray *
build_frame (const Dialect        *dialect,
             gint64                net_grams,
             gboolean              net,
             TillScaleSimCondition condition)
{
  GByteArray *out = g_byte_array_new ();
  gboolean    stable = condition == TILL_SCALE_SIM_STABLE;

  switch (dialect->kind)
    {
    case KIND_TOLEDO:
      {
        /* STX weight [N] CR, or STX ? status CR [S7]; 7-bit characters. */
        guint8 status = 0x40 | (net ? 0x20 : 0);

        if (condition == TILL_SCALE_SIM_OVERLOAD || net_grams > 99999)
          status |= 0x02;
        else if (condition == TILL_SCALE_SIM_UNDERLOAD || net_grams < 0)
          status |= 0x04;
        else if (condition == TILL_SCALE_SIM_UNSTABLE)
          status |= 0x01;
        append_byte (out, 0x02);
        if (status & 0x07)
          {
            append_byte (out, '?');
            append_byte (out, status);
          }
        else
          {
            g_autofree char *text = format_kg (net_grams, 2, TRUE);

            append_string (out, text);
            if (net)
              append_byte (out, 'N');
          }
        append_byte (out, 0x0D);
        break;
      }
    case KIND_ADAM:
      if (stable)
        {
          g_autofree char *text = format_kg (net_grams, 3, FALSE);

          append_byte (out, net_grams < 0 ? '-' : ' ');
          append_string (out, text);
          append_string (out, "kg\r\n");
        }
      break;
    case KIND_CAS_PD2:
      if (stable && net_grams >= 0)
        {
          g_autofree char *text = format_kg (net_grams, 1, FALSE);

          append_string (out, text);
          append_byte (out, 0x0D);
        }
      break;
    case KIND_CAS:
      {
        const char *header = condition == TILL_SCALE_SIM_UNSTABLE ? "US" : stable ? "ST" : "OL";
        gboolean    under = condition == TILL_SCALE_SIM_UNDERLOAD;

        append_string (out, header);
        append_string (out, net ? ",NT," : ",GS,");
        if (dialect->generic)
          {
            g_autofree char *text =
                format_kg (stable || condition == TILL_SCALE_SIM_UNSTABLE ? net_grams : 0, 4, TRUE);

            append_byte (out, (under || net_grams < 0) ? '-' : '+');
            append_string (out, text);
            append_string (out, "kg\r\n");
          }
        else
          {
            g_autofree char *number = format_kg (net_grams, 1, FALSE);
            g_autofree char *field = NULL;
            guint8 lamp = (stable ? 0x40 : 0) | (net ? 0x02 : 0x04) | (net_grams == 0 ? 0x01 : 0);

            if (header[0] == 'O')
              field = g_strdup (under ? "     -OL" : "      OL");
            else
              {
                g_autofree char *signed_number =
                    g_strconcat (net_grams < 0 ? "-" : "", number, NULL);

                field = g_strdup_printf ("%8s", signed_number);
              }
            append_byte (out, '1'); /* device id */
            append_byte (out, lamp);
            append_byte (out, ',');
            append_string (out, field);
            append_string (out, " kg\r\n");
          }
        break;
      }
    case KIND_ACLAS:
      {
        /* 01 02 F1 Sg W6 U2 CS 03 04 [F2] [S12]. */
        gboolean over = condition == TILL_SCALE_SIM_OVERLOAD ||
                        condition == TILL_SCALE_SIM_UNDERLOAD || ABS (net_grams) > 99999;
        g_autofree char *w6 = format_kg (over ? 0 : net_grams, 2, TRUE);
        guint8 xor = 0;
        guint8 f2 = (net_grams == 0 ? 0x10 : 0) | (net ? 0x20 : 0) | (over ? 0x40 : 0);

        append_byte (out, 0x01);
        append_byte (out, 0x02);
        append_byte (out, over ? 'F' : stable ? 'S' : 'U');
        append_byte (out, net_grams < 0 && !over ? '-' : ' ');
        append_string (out, w6);
        append_string (out, "kg");
        for (guint i = 0; i < out->len; i++)
          xor ^= out->data[i];
        append_byte (out, xor);
        append_byte (out, 0x03);
        append_byte (out, 0x04);
        if (!dialect->passive)
          append_byte (out, f2);
        break;
      }
    case KIND_XK3190:
      if (stable)
        {
          /* 02 sign 6 digits decimals XOR-hi XOR-lo 03, 3 decimals: grams. */
          g_autofree char *body =
              g_strdup_printf ("%c%06d3", net_grams < 0 ? '-' : '+', (int) ABS (net_grams));
          g_autofree char *hex = NULL;
          guint8 xor = 0;

          for (guint i = 0; i < 8; i++)
            xor ^= (guint8) body[i];
          hex = g_strdup_printf ("%02X", xor);
          append_byte (out, 0x02);
          append_string (out, body);
          append_string (out, hex);
          append_byte (out, 0x03);
        }
      break;
    default:
      g_assert_not_reached ();
    }
  return out;
}

static gint64
net_weight (TillScaleSim *self)
{
  return self->weight - self->zero - self->tare;
}

/* Queues the current reading (with any injected garbage, cut if asked). */
static void
queue_frame (TillScaleSim *self, GByteArray *output)
{
  g_autoptr (GByteArray) frame =
      build_frame (&self->dialect, net_weight (self), self->tare != 0, self->condition);

  if (self->inject->len > 0)
    {
      g_byte_array_append (output, self->inject->data, self->inject->len);
      g_byte_array_set_size (self->inject, 0);
    }
  if (self->cut_next && frame->len > 1)
    {
      g_byte_array_set_size (frame, frame->len / 2);
      self->cut_next = FALSE;
    }
  g_byte_array_append (output, frame->data, frame->len);
}

static void
do_tare (TillScaleSim *self)
{
  self->tare = self->weight - self->zero;
  self->n_tare++;
}

static void
do_zero (TillScaleSim *self)
{
  self->zero = self->weight;
  self->tare = 0;
  self->n_zero++;
}

/* Takes the command at the start of the input, if whole; returns how many
 * bytes it used (0: wait for more). */
static gsize
handle_command (TillScaleSim *self, const guint8 *in, gsize len, GByteArray *output)
{
  switch (self->dialect.kind)
    {
    case KIND_TOLEDO:
      {
        guint8 c = in[0] & 0x7F;

        if (c == 'W')
          {
            self->n_requests++;
            queue_frame (self, output);
          }
        else if (c == 'T' || c == 'Z' || c == 'C')
          {
            if (c == 'T')
              do_tare (self);
            else if (c == 'Z')
              do_zero (self);
            else
              self->tare = 0;
            /* Answered with STX ? status CR [S7]. */
            append_byte (output, 0x02);
            append_byte (output, '?');
            append_byte (output, 0x40 | (self->tare != 0 ? 0x20 : 0) |
                                     (self->condition == TILL_SCALE_SIM_UNSTABLE ? 0x01 : 0));
            append_byte (output, 0x0D);
          }
        return 1;
      }
    case KIND_ADAM:
      {
        const guint8 *lf = memchr (in, '\n', len);

        if (lf == NULL)
          return len > 16 ? len : 0;
        if (in[0] == 'P')
          {
            gint64 weight = net_weight (self);

            self->n_requests++;
            /* Only a new non-zero weight is answered; asked again, the scale
             * beeps and sends nothing [S6]. */
            if (self->condition == TILL_SCALE_SIM_STABLE && weight != 0 &&
                (!self->adam_reported || weight != self->adam_last))
              {
                queue_frame (self, output);
                self->adam_reported = TRUE;
                self->adam_last = weight;
              }
          }
        else if (in[0] == 'T')
          do_tare (self);
        else if (in[0] == 'Z')
          do_zero (self);
        return (gsize) (lf - in) + 1;
      }
    case KIND_CAS_PD2:
      if ((in[0] & 0x7F) == 'W')
        {
          self->n_requests++;
          queue_frame (self, output);
        }
      return 1;
    case KIND_CAS:
      if (len < 2)
        return 0;
      if (memcmp (in, "WT", 2) == 0)
        {
          self->n_requests++;
          if (!self->dialect.continuous)
            queue_frame (self, output);
          return 2;
        }
      if (memcmp (in, "TR", 2) == 0)
        {
          do_tare (self);
          return 2;
        }
      if (memcmp (in, "ZE", 2) == 0)
        {
          do_zero (self);
          return 2;
        }
      return 1;
    case KIND_ACLAS:
      if (in[0] == 0x05 && self->dialect.passive)
        {
          append_byte (output, 0x06);
          return 1;
        }
      if (in[0] == 0x11 && self->dialect.passive)
        {
          self->n_requests++;
          queue_frame (self, output);
          return 1;
        }
      if (in[0] == '<')
        {
          if (len < 5)
            return 0;
          if (memcmp (in, "<TK>\t", 5) == 0)
            do_tare (self);
          else if (memcmp (in, "<ZK>\t", 5) == 0)
            do_zero (self);
          else
            return 1;
          return 5;
        }
      return 1;
    case KIND_XK3190:
    default:
      return len;
    }
}

/* Answers every whole command received (a silent scale drops them). */
static void
handle_input_locked (TillScaleSim *self, GByteArray *output)
{
  if (self->silent)
    g_byte_array_set_size (self->input, 0);
  while (self->input->len > 0)
    {
      gsize used = handle_command (self, self->input->data, self->input->len, output);

      if (used == 0)
        break;
      g_byte_array_remove_range (self->input, 0, (guint) used);
    }
}

static void
write_out (int fd, const GByteArray *output)
{
  gsize done = 0;

  while (done < output->len)
    {
      gssize n = write (fd, output->data + done, output->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return; /* nobody reading, or the buffer is full: a real line drops it too */
      done += (gsize) n;
    }
}

static gpointer
serve_thread (gpointer data)
{
  TillScaleSim *self = data;

  while (!g_atomic_int_get (&self->stop))
    {
      g_autoptr (GByteArray) output = g_byte_array_new ();
      struct pollfd pfd = { .events = POLLIN };
      guint8        chunk[256];
      gssize        n = 0;
      int           fd;

      g_mutex_lock (&self->lock);
      if (self->unplug_requested && self->master >= 0)
        {
          close (self->master);
          self->master = -1;
        }
      fd = self->master;
      g_mutex_unlock (&self->lock);
      if (fd < 0)
        {
          g_usleep (5000);
          continue;
        }

      pfd.fd = fd;
      if (poll (&pfd, 1, 5) > 0)
        {
          if (pfd.revents & POLLIN)
            n = read (fd, chunk, sizeof chunk);
          else
            g_usleep (2000); /* hang-up: no one has the device open yet */
        }

      g_mutex_lock (&self->lock);
      if (n > 0)
        g_byte_array_append (self->input, chunk, (guint) n);
      handle_input_locked (self, output);
      if (self->dialect.continuous && !self->silent &&
          g_get_monotonic_time () >= self->next_frame_us)
        {
          queue_frame (self, output);
          self->next_frame_us = g_get_monotonic_time () + FRAME_INTERVAL_US;
        }
      g_mutex_unlock (&self->lock);

      if (output->len > 0)
        write_out (fd, output);
    }
  return NULL;
}

/**
 * till_scale_sim_new:
 *
 * Returns: (transfer full): a running simulated scale, or %NULL with an error
 */
TillScaleSim *
till_scale_sim_new (const char *protocol, const char *options, GError **error)
{
  TillScaleSim *self;
  Dialect       dialect;
  int           master;
  char         *path = NULL;

  g_return_val_if_fail (protocol != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_dialect (protocol, options, &dialect, error) || !till_pty_open (&master, &path, error))
    return NULL;
  /* Never block the serving thread on a full line. */
  fcntl (master, F_SETFL, fcntl (master, F_GETFL) | O_NONBLOCK);

  self = g_new0 (TillScaleSim, 1);
  self->dialect = dialect;
  self->master = master;
  self->device_path = path;
  /* A pty takes no parity (tcsetattr refuses CS7|PARENB on one): the 7E1
   * scales get an 8N1 line here, their characters being 7-bit anyway. */
  self->uri = g_strdup_printf ("serial://%s?protocol=%s%s%s%s", path, protocol,
                               dialect.kind == KIND_TOLEDO || dialect.kind == KIND_CAS_PD2
                                   ? "&baud=9600&bits=8&parity=none"
                                   : "",
                               options != NULL ? "&" : "", options != NULL ? options : "");
  self->inject = g_byte_array_new ();
  self->input = g_byte_array_new ();
  self->condition = TILL_SCALE_SIM_STABLE;
  g_mutex_init (&self->lock);
  g_cond_init (&self->changed);
  self->thread = g_thread_new ("scale-sim", serve_thread, self);
  return self;
}

/**
 * till_scale_sim_new_in_process:
 *
 * Returns: (transfer full): a simulated scale driven by till_scale_sim_receive()
 *   and till_scale_sim_transmit(), or %NULL with an error
 */
TillScaleSim *
till_scale_sim_new_in_process (const char *protocol, const char *options, GError **error)
{
  TillScaleSim *self;
  Dialect       dialect;

  g_return_val_if_fail (protocol != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_dialect (protocol, options, &dialect, error))
    return NULL;
  self = g_new0 (TillScaleSim, 1);
  self->dialect = dialect;
  self->master = -1;
  self->uri = g_strdup_printf ("sim://scale?protocol=%s%s%s", protocol, options != NULL ? "&" : "",
                               options != NULL ? options : "");
  self->inject = g_byte_array_new ();
  self->input = g_byte_array_new ();
  self->output = g_byte_array_new ();
  self->condition = TILL_SCALE_SIM_STABLE;
  g_mutex_init (&self->lock);
  g_cond_init (&self->changed);
  return self;
}

/* The line is gone: the error both directions give after till_scale_sim_unplug(). */
static void
set_unplugged_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                       "The simulated scale was unplugged");
}

/**
 * till_scale_sim_receive:
 *
 * In process: the host sends @data to the scale, which answers what it can
 * (the answer waits for till_scale_sim_transmit()).
 */
gboolean
till_scale_sim_receive (TillScaleSim *self, const guint8 *data, gsize len, GError **error)
{
  g_return_val_if_fail (self != NULL && self->thread == NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  g_mutex_lock (&self->lock);
  if (self->unplugged)
    {
      g_mutex_unlock (&self->lock);
      set_unplugged_error (error);
      return FALSE;
    }
  g_byte_array_append (self->input, data, (guint) len);
  handle_input_locked (self, self->output);
  g_cond_broadcast (&self->changed);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/**
 * till_scale_sim_transmit:
 *
 * In process: what the scale sent, up to @len bytes, waiting at most
 * @timeout_ms for the first (a continuous scale sends a frame every 20 ms).
 *
 * Returns: the count (0 when nothing came in time), -1 with @error once unplugged
 */
gssize
till_scale_sim_transmit (
    TillScaleSim *self, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  gint64 deadline_us = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gssize n = 0;

  g_return_val_if_fail (self != NULL && self->thread == NULL, -1);
  g_return_val_if_fail (buffer != NULL || len == 0, -1);

  g_mutex_lock (&self->lock);
  while (TRUE)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wake_us = deadline_us;

      if (self->unplugged)
        {
          set_unplugged_error (error);
          n = -1;
          break;
        }
      if (self->output->len > 0 || len == 0)
        {
          n = (gssize) MIN (len, self->output->len);
          memcpy (buffer, self->output->data, (gsize) n);
          g_byte_array_remove_range (self->output, 0, (guint) n);
          break;
        }
      if (self->dialect.continuous && !self->silent)
        {
          if (now >= self->next_frame_us)
            {
              queue_frame (self, self->output);
              self->next_frame_us = now + FRAME_INTERVAL_US;
              continue;
            }
          wake_us = MIN (wake_us, self->next_frame_us);
        }
      if (now >= deadline_us)
        break;
      g_cond_wait_until (&self->changed, &self->lock, wake_us);
    }
  g_mutex_unlock (&self->lock);
  return n;
}

void
till_scale_sim_free (TillScaleSim *self)
{
  if (self == NULL)
    return;
  if (self->thread != NULL)
    {
      g_atomic_int_set (&self->stop, 1);
      g_thread_join (self->thread);
    }
  if (self->master >= 0)
    close (self->master);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->changed);
  g_byte_array_unref (self->inject);
  g_byte_array_unref (self->input);
  if (self->output != NULL)
    g_byte_array_unref (self->output);
  g_free (self->device_path);
  g_free (self->uri);
  g_free (self);
}

const char *
till_scale_sim_get_uri (TillScaleSim *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->uri;
}

void
till_scale_sim_set_weight (TillScaleSim *self, gint64 grams)
{
  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  self->weight = grams;
  g_mutex_unlock (&self->lock);
}

void
till_scale_sim_set_condition (TillScaleSim *self, TillScaleSimCondition condition)
{
  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  self->condition = condition;
  g_mutex_unlock (&self->lock);
}

void
till_scale_sim_set_silent (TillScaleSim *self, gboolean silent)
{
  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  self->silent = silent;
  g_mutex_unlock (&self->lock);
}

void
till_scale_sim_cut_next_frame (TillScaleSim *self)
{
  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  self->cut_next = TRUE;
  g_mutex_unlock (&self->lock);
}

void
till_scale_sim_inject (TillScaleSim *self, const guint8 *bytes, gsize len)
{
  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  g_byte_array_append (self->inject, bytes, (guint) len);
  g_mutex_unlock (&self->lock);
}

gint64
till_scale_sim_get_tare (TillScaleSim *self)
{
  gint64 tare;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  tare = self->tare;
  g_mutex_unlock (&self->lock);
  return tare;
}

gint64
till_scale_sim_get_zero (TillScaleSim *self)
{
  gint64 zero;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  zero = self->zero;
  g_mutex_unlock (&self->lock);
  return zero;
}

guint
till_scale_sim_get_n_tare (TillScaleSim *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  n = self->n_tare;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
till_scale_sim_get_n_zero (TillScaleSim *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  n = self->n_zero;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
till_scale_sim_get_n_requests (TillScaleSim *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  n = self->n_requests;
  g_mutex_unlock (&self->lock);
  return n;
}

/* Closes the master end (from the serving thread, which owns the descriptor)
 * and returns once it is closed. */
void
till_scale_sim_unplug (TillScaleSim *self)
{
  gboolean closed = FALSE;

  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  self->unplug_requested = TRUE;
  self->unplugged = TRUE;
  g_cond_broadcast (&self->changed);
  g_mutex_unlock (&self->lock);
  while (!closed && self->thread != NULL)
    {
      g_usleep (1000);
      g_mutex_lock (&self->lock);
      closed = self->master < 0;
      g_mutex_unlock (&self->lock);
    }
}

/**
 * till_scale_sim_frame:
 *
 * Returns: (transfer full): the bytes the simulator sends for this reading
 *   (empty when the protocol has nothing to send for it)
 */
GByteArray *
till_scale_sim_frame (const char           *protocol,
                      const char           *options,
                      gint64                net_grams,
                      gboolean              net,
                      TillScaleSimCondition condition)
{
  Dialect dialect;

  g_return_val_if_fail (protocol != NULL, NULL);

  if (!parse_dialect (protocol, options, &dialect, NULL))
    return g_byte_array_new ();
  return build_frame (&dialect, net_grams, net, condition);
}
