#pragma once

#include <QObject>
#include <QStringList>
#include <QUrl>

class QAbstractItemModel;

namespace spidi::desktop {

// The roster as CSV (docs/desktop.md, "Exports"): RFC 4180 (fields with a comma, a quote or a
// line break quoted, quotes doubled, CRLF between records), UTF-8, a header row, times in
// ISO 8601 UTC. The rows are those of the model given, in its order: pass the page's
// RosterFilterModel to export what the table shows (filtered and sorted).
class CsvExporter : public QObject
{
    Q_OBJECT
    // Why the last export failed; empty after a success.
    Q_PROPERTY(QString lastError READ lastError NOTIFY finished)

public:
    explicit CsvExporter(QObject *parent = nullptr);

    QString lastError() const { return m_lastError; }

    // Writes `model`'s rows (RosterModel roles) to `file` (replaced atomically).
    Q_INVOKABLE bool exportRoster(QAbstractItemModel *model, const QUrl &file);
    // Documents/<stem>-<local date and time>.csv, for the save dialog.
    Q_INVOKABLE QUrl suggestedFile(const QString &stem) const;

    // One field, quoted when it needs to be.
    static QString field(const QString &value);
    // One record (fields joined by commas, CRLF at the end).
    static QString record(const QStringList &fields);
    // The whole CSV document of a model with RosterModel's role names.
    static QByteArray rosterCsv(const QAbstractItemModel &model);

Q_SIGNALS:
    void finished(bool ok, const QString &file, const QString &error);

private:
    QString m_lastError;
};

} // namespace spidi::desktop
