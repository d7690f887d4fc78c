/* till-pinyin.h: 拼音首字母, the initials cashiers type to search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Upper-case initials of each Han character (from its GB2312 position), ASCII
 * letters and digits kept upper-cased, everything else dropped: "可口可乐500ml" →
 * "KKKL500ML". */
char *till_pinyin_initials (const char *utf8) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
