/* till-scale.h: weighing scales on a serial line, one driver per protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "till-transport.h"

G_BEGIN_DECLS

#define TILL_SCALE_ERROR (till_scale_error_quark ())

typedef enum
{
  TILL_SCALE_ERROR_FAILED,
  TILL_SCALE_ERROR_PROTOCOL,      /* no protocol=, or one no driver speaks */
  TILL_SCALE_ERROR_NOT_SUPPORTED, /* the protocol has no such command (tare, zero) */
  TILL_SCALE_ERROR_NO_ANSWER,     /* a command the scale must answer went unanswered */
} TillScaleError;

typedef enum
{
  TILL_SCALE_STATE_STABLE,    /* at rest: the weight can be sold */
  TILL_SCALE_STATE_UNSTABLE,  /* in motion */
  TILL_SCALE_STATE_NEGATIVE,  /* below zero (weight < 0, or 0 when the scale gives no figure) */
  TILL_SCALE_STATE_OVERLOAD,  /* over capacity */
  TILL_SCALE_STATE_UNDERLOAD, /* under the scale's range */
  TILL_SCALE_STATE_ERROR,     /* the scale reports a fault (zero out of range, not zeroed) */
  TILL_SCALE_STATE_NO_ANSWER, /* nothing whole arrived in time */
} TillScaleState;

typedef enum
{
  TILL_SCALE_UNIT_KG,
  TILL_SCALE_UNIT_G,
  TILL_SCALE_UNIT_LB,
  TILL_SCALE_UNIT_UNKNOWN,
} TillScaleUnit;

#define TILL_SCALE_TARE_UNKNOWN G_GINT64_CONSTANT (-1)

/* One reading. The weight is in grams whatever the scale's unit (pounds are
 * converted), at the scale's resolution; net when a tare is in effect. No
 * protocol here reports the tare's value: tare is TILL_SCALE_TARE_UNKNOWN unless
 * a driver learns it. */
typedef struct
{
  TillScaleState state;
  gint64         weight;
  gint64         tare;
  gboolean       net;
  TillScaleUnit  unit; /* what the scale showed */
} TillScaleReading;

#define TILL_TYPE_SCALE (till_scale_get_type ())
G_DECLARE_FINAL_TYPE (TillScale, till_scale, TILL, SCALE, GObject)

GQuark till_scale_error_quark (void);

const char *till_scale_state_to_string (TillScaleState state);

/* Protocols (protocol= in the device URI), and the serial settings each gets
 * when the URI names none: toledo-8217 (9600 7E1), adam (4800 8N1), cas-pd2
 * (9600 7E1), cas (CAS/Chinese continuous indicator, 9600 8N1), aclas-os2x
 * (9600 8N1), xk3190 (耀华 连续方式1, 9600 8N1). Options: mode=request|continuous
 * (adam, cas), mode=active|passive (aclas-os2x). */
const char *const *till_scale_list_protocols (void);

/* Opens the scale named by @uri, e.g.
 * serial:///dev/ttyUSB1?protocol=toledo-8217 (the protocol's serial settings are
 * added when the URI has none of baud, bits, parity). */
TillScale *till_scale_open (const char *uri, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Drives a transport opened elsewhere with @protocol (and @options from a URI
 * query, may be NULL). Takes a reference on @transport. */
TillScale     *till_scale_new_for_transport (TillTransport *transport,
                                             const char    *protocol,
                                             const char    *options,
                                             GError       **error) G_GNUC_WARN_UNUSED_RESULT;
const char    *till_scale_get_protocol (TillScale *self);
TillTransport *till_scale_get_transport (TillScale *self);
/* Whether the scale sends frames on its own (readings take the latest one). */
gboolean till_scale_get_continuous (TillScale *self);

/* Blocking, for worker threads; every wait is bounded by @timeout_ms.
 * read: asks for a weight (or takes the next whole frame of a continuous
 *   scale). Returns TRUE with a reading, TILL_SCALE_STATE_NO_ANSWER when nothing whole
 *   came in time; FALSE with @error only when the device itself failed (closed,
 *   unplugged), and then the reading's state is TILL_SCALE_STATE_NO_ANSWER too.
 * tare, zero: send the command; where the protocol answers, wait for it
 *   (TILL_SCALE_ERROR_NO_ANSWER otherwise). TILL_SCALE_ERROR_NOT_SUPPORTED when
 *   the protocol has no such command. */
gboolean
till_scale_read (TillScale *self, guint timeout_ms, TillScaleReading *out_reading, GError **error);
gboolean till_scale_tare (TillScale *self, guint timeout_ms, GError **error);
gboolean till_scale_zero (TillScale *self, guint timeout_ms, GError **error);
gboolean till_scale_close (TillScale *self, GError **error);

/* For the app: till_scale_read() in a worker thread. */
void     till_scale_read_async (TillScale          *self,
                                guint               timeout_ms,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
gboolean till_scale_read_finish (TillScale        *self,
                                 GAsyncResult     *result,
                                 TillScaleReading *out_reading,
                                 GError          **error);

G_END_DECLS
