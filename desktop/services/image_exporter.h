#pragma once

#include <QImage>
#include <QObject>
#include <QQuickItem>
#include <QUrl>

namespace spidi::desktop {

// Charts and room tiles as PNG (docs/desktop.md, "Exports"): the item rendered as the window
// shows it (QQuickItem::grabToImage, at the item's size) and written atomically; the outcome,
// in words, by `finished`.
class ImageExporter : public QObject
{
    Q_OBJECT
    // Why the last export failed; empty after a success.
    Q_PROPERTY(QString lastError READ lastError NOTIFY finished)

public:
    explicit ImageExporter(QObject *parent = nullptr);

    QString lastError() const { return m_lastError; }

    // Grabs `item` and saves it to `file` as PNG; asynchronous (the grab waits for the next
    // frame): `finished` reports the outcome.
    Q_INVOKABLE void exportItem(QQuickItem *item, const QUrl &file);
    // Pictures/<stem>-<local date and time>.png, for the save dialog.
    Q_INVOKABLE QUrl suggestedFile(const QString &stem) const;

    // Writes `image` to `path` as PNG, replacing it atomically; an error in words or "".
    static QString savePng(const QImage &image, const QString &path);

Q_SIGNALS:
    void finished(bool ok, const QString &file, const QString &error);

private:
    void report(const QString &path, const QString &error);

    QString m_lastError;
};

} // namespace spidi::desktop
