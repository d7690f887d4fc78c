/* till-scale-sim.h: scales that speak each protocol byte for byte over a pty
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TILL_SCALE_SIM_STABLE,
  TILL_SCALE_SIM_UNSTABLE,  /* in motion */
  TILL_SCALE_SIM_OVERLOAD,  /* over capacity */
  TILL_SCALE_SIM_UNDERLOAD, /* under the range */
} TillScaleSimCondition;

/* A simulated scale on a pseudo-terminal, served by its own thread. Protocols
 * as in till-scale.h: toledo-8217, adam, cas-pd2, cas, aclas-os2x, xk3190.
 * @options: "mode=continuous" (adam), "mode=request" (cas), "mode=passive"
 * (aclas-os2x), "variant=generic" (cas: the "ST,GS,+0012.345kg" form); NULL for
 * the protocol's default. Continuous scales send a frame every 20 ms. */
typedef struct _TillScaleSim TillScaleSim;

TillScaleSim *till_scale_sim_new (const char *protocol,
                                  const char *options,
                                  GError    **error) G_GNUC_WARN_UNUSED_RESULT;
void          till_scale_sim_free (TillScaleSim *self);

/* The same scale in process, with no pty and no thread, for a transport
 * backend (sim://scale): the host's bytes go in through
 * till_scale_sim_receive(), what the scale sends comes out of
 * till_scale_sim_transmit(), which waits at most @timeout_ms for the first byte
 * (a continuous scale sends a frame every 20 ms). Both fail once unplugged. */
TillScaleSim *till_scale_sim_new_in_process (const char *protocol,
                                             const char *options,
                                             GError    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean till_scale_sim_receive (TillScaleSim *self, const guint8 *data, gsize len, GError **error);
gssize   till_scale_sim_transmit (
      TillScaleSim *self, guint8 *buffer, gsize len, guint timeout_ms, GError **error);

/* serial:///dev/pts/N?protocol=…(&options): what till_scale_open() takes
 * (sim://scale?protocol=… for a scale in process). */
const char *till_scale_sim_get_uri (TillScaleSim *self);

/* What lies on the platter (gross grams; negative below zero). */
void till_scale_sim_set_weight (TillScaleSim *self, gint64 grams);
void till_scale_sim_set_condition (TillScaleSim *self, TillScaleSimCondition condition);
/* Stops answering and sending (TRUE) or takes up again. */
void till_scale_sim_set_silent (TillScaleSim *self, gboolean silent);
/* The next frame goes out only half: the rest is never sent (a continuous
 * scale goes on with whole frames). */
void till_scale_sim_cut_next_frame (TillScaleSim *self);
/* @len bytes go out just before the next frame. */
void till_scale_sim_inject (TillScaleSim *self, const guint8 *bytes, gsize len);
/* The tare the scale holds (set by the tare command), the zero offset, and how
 * many tare, zero and weight requests it received. */
gint64 till_scale_sim_get_tare (TillScaleSim *self);
gint64 till_scale_sim_get_zero (TillScaleSim *self);
guint  till_scale_sim_get_n_tare (TillScaleSim *self);
guint  till_scale_sim_get_n_zero (TillScaleSim *self);
guint  till_scale_sim_get_n_requests (TillScaleSim *self);
/* Closes the master end: the device is gone, as when a cable is pulled. */
void till_scale_sim_unplug (TillScaleSim *self);

/* One frame of @protocol for a reading, as the simulator sends it (for tests of
 * the parsers). */
GByteArray *till_scale_sim_frame (const char           *protocol,
                                  const char           *options,
                                  gint64                net_grams,
                                  gboolean              net,
                                  TillScaleSimCondition condition) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillScaleSim, till_scale_sim_free)

G_END_DECLS
