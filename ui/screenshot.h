#pragma once

#include <QSize>
#include <QString>

namespace quantscope {

class MainWindow;

inline constexpr QSize kScreenshotSize(1440, 900);
inline constexpr int kScreenshotTimeoutMs = 120000;

// Shows `window` at `size`, waits until its loading and designs are done, and writes it to `path`
// as PNG (atomically). Returns an empty string on success, else a one-line error.
QString renderScreenshot(MainWindow& window, const QString& path, QSize size = kScreenshotSize,
                         int timeoutMs = kScreenshotTimeoutMs);

} // namespace quantscope
