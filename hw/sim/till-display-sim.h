/* till-display-sim.h: customer pole displays in software, for tests and the demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Lamps, as in TillPoleDisplayLamps: 1 单价, 2 总计, 4 收款, 8 找零. */
#define TILL_DISPLAY_SIM_LAMP_PRICE (1u << 0)
#define TILL_DISPLAY_SIM_LAMP_TOTAL (1u << 1)
#define TILL_DISPLAY_SIM_LAMP_PAID (1u << 2)
#define TILL_DISPLAY_SIM_LAMP_CHANGE (1u << 3)

/* A pole display decoding the bytes it gets, command by command, as the device
 * would (DEVICES.md §4), and drawing what it shows. Thread-safe: a pty reader
 * thread feeds it while the test reads it. */
#define TILL_TYPE_DISPLAY_SIM (till_display_sim_get_type ())
G_DECLARE_FINAL_TYPE (TillDisplaySim, till_display_sim, TILL, DISPLAY_SIM, GObject)

/* @protocol: "led8", "cd5220" or "epson"; @model: the LED's lamp command set
 * (generic, pd1800a, hisense, partner, ejeton, led8n; NULL = generic), ignored
 * for a VFD. NULL for an unknown protocol or model. */
TillDisplaySim *till_display_sim_new (const char *protocol,
                                      const char *model) G_GNUC_WARN_UNUSED_RESULT;
/* A VFD with a GB2312 font draws GB18030 two-byte characters over two cells;
 * without one (the default) every byte above 0x7f is a character it lacks. */
void till_display_sim_set_chinese_font (TillDisplaySim *self, gboolean chinese_font);

/* Decodes the bytes; a command split across calls is completed by the next. */
void till_display_sim_feed (TillDisplaySim *self, const guint8 *data, gsize len);

/* On a pseudo-terminal: opens a pty pair and reads its master end in a thread;
 * the driver opens *out_device_path as a serial port. */
gboolean till_display_sim_open_pty (TillDisplaySim *self, char **out_device_path, GError **error);
/* Waits until every byte written to the pty so far is decoded; FALSE after
 * @timeout_ms (or if the device is silent). */
gboolean till_display_sim_sync (TillDisplaySim *self, guint timeout_ms);
/* A device that stops taking bytes (a hung display, or flow control holding the
 * line): the pty fills up and the writer blocks. */
void till_display_sim_set_silent (TillDisplaySim *self, gboolean silent);
/* The cable is pulled: the master end closes, the driver's writes fail. */
void till_display_sim_unplug (TillDisplaySim *self);

/* What the display shows. LED: the digits as sent ("23.50"; "" when blank) and
 * the lit lamps. VFD: row 1 or 2, always 20 cells as UTF-8 (a Chinese character
 * fills two cells). */
char    *till_display_sim_dup_digits (TillDisplaySim *self) G_GNUC_WARN_UNUSED_RESULT;
guint    till_display_sim_get_lamps (TillDisplaySim *self);
char    *till_display_sim_dup_row (TillDisplaySim *self, guint row) G_GNUC_WARN_UNUSED_RESULT;
guint    till_display_sim_get_brightness (TillDisplaySim *self); /* 1-4 */
gboolean till_display_sim_get_cursor (TillDisplaySim *self, guint *out_column, guint *out_row);

/* Counters: resets (ESC @), clears, bytes taken, bytes that were not a command
 * or character the display knows, characters it has no glyph for. */
guint   till_display_sim_get_n_resets (TillDisplaySim *self);
guint   till_display_sim_get_n_clears (TillDisplaySim *self);
guint64 till_display_sim_get_n_bytes (TillDisplaySim *self);
guint   till_display_sim_get_n_garbage_bytes (TillDisplaySim *self);
guint   till_display_sim_get_n_unsupported_chars (TillDisplaySim *self);

/* A picture of the display: green 7-segment digits and the lamps with their
 * labels for the LED, a 2×20 dot-matrix VFD otherwise. */
gboolean till_display_sim_render_png (TillDisplaySim *self, const char *path, GError **error);

G_END_DECLS
