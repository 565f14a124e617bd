
/*
 * Unit-test support: the few nginx core functions the module's sources
 * call, implemented here for the tests (the Debian nginx-dev package ships
 * headers only), plus helpers to capture log messages and to build
 * temporary template directories.
 */

#ifndef _GONGKAI_UNIT_SUPPORT_H_INCLUDED_
#define _GONGKAI_UNIT_SUPPORT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* a log at level debug whose messages are captured (see below) */
extern ngx_log_t  unit_log;

/* every message logged since the last reset, one per line */
const char *unit_log_text(void);
void unit_log_reset(void);

/* a fresh pool, destroyed by unit_pool_destroy() (or leaked at exit) */
ngx_pool_t *unit_pool(void);

/* a temporary directory; files written into it; removed recursively */
char *unit_tmpdir(void);
void unit_write(const char *dir, const char *name, const char *text);
void unit_rmdir(const char *dir);

/* the rendered chain as one NUL-terminated string from pool */
char *unit_chain_text(ngx_pool_t *pool, ngx_chain_t *cl, size_t len);


#endif /* _GONGKAI_UNIT_SUPPORT_H_INCLUDED_ */
