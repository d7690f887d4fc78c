/* till-keypad.h: the on-screen numeric keypad
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Properties: "text" (what was typed, notify), "masked" (show dots, for PINs),
 * "allow-decimal" (the "." key), "max-length", "enter-label", "placeholder".
 * Signal "activate": Enter was pressed. */
#define TILL_TYPE_KEYPAD (till_keypad_get_type ())
G_DECLARE_FINAL_TYPE (TillKeypad, till_keypad, TILL, KEYPAD, GtkWidget)

GtkWidget  *till_keypad_new (void);
const char *till_keypad_get_text (TillKeypad *self);
void        till_keypad_set_text (TillKeypad *self, const char *text);
void        till_keypad_clear (TillKeypad *self);
/* Feeds a key from a physical keyboard: digits, ".", BackSpace, Escape (clear) and
 * Enter. Returns TRUE when the key was the keypad's. */
gboolean till_keypad_handle_key (TillKeypad *self, guint keyval);

G_END_DECLS
