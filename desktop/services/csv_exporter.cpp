#include "services/csv_exporter.h"

#include "services/desktop_logging.h"
#include "services/export_paths.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QSaveFile>

namespace spidi::desktop {

namespace {

struct Column
{
    const char *role;
    const char *title;
    enum Kind { Text, Number, Time } kind;
};

// The roster table's columns (RosterModel's role names), then the session id.
const Column kRosterColumns[] = {
    {"userId", "User", Column::Text},
    {"device", "Device", Column::Text},
    {"os", "OS", Column::Text},
    {"appVersion", "App version", Column::Text},
    {"ip", "IP", Column::Text},
    {"latencyMs", "Latency (ms)", Column::Number},
    {"connectedAt", "Connected since (UTC)", Column::Time},
    {"lastHeartbeatAt", "Last heartbeat (UTC)", Column::Time},
    {"sessionId", "Session", Column::Text},
};

// Text reported by devices goes into a spreadsheet: a leading =, +, -, @ or a control
// character would make it a formula there (CSV injection), so such a value gets a leading
// apostrophe, which spreadsheets show as text and hide.
QString neutralised(const QString &text)
{
    if (text.isEmpty())
        return text;
    const QChar first = text.front();
    if (first == u'=' || first == u'+' || first == u'-' || first == u'@' || first == u'\t' ||
        first == u'\r')
        return QLatin1Char('\'') + text;
    return text;
}

QString cell(const QVariant &value, Column::Kind kind)
{
    switch (kind) {
    case Column::Number: {
        const double v = value.toDouble();
        // -1: the session has not reported a latency yet.
        return v < 0 ? QString() : QString::number(v, 'g', 10);
    }
    case Column::Time: {
        const qint64 ms = qint64(value.toDouble());
        return ms <= 0 ? QString()
                       : QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
    }
    case Column::Text:
        break;
    }
    return neutralised(value.toString());
}

} // namespace

CsvExporter::CsvExporter(QObject *parent) : QObject(parent) {}

QString CsvExporter::field(const QString &value)
{
    if (!value.contains(u',') && !value.contains(u'"') && !value.contains(u'\n') &&
        !value.contains(u'\r'))
        return value;
    QString quoted = value;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString CsvExporter::record(const QStringList &fields)
{
    QStringList quoted;
    quoted.reserve(fields.size());
    for (const QString &f : fields)
        quoted.append(field(f));
    return quoted.join(QLatin1Char(',')) + QLatin1String("\r\n");
}

QByteArray CsvExporter::rosterCsv(const QAbstractItemModel &model)
{
    const QHash<int, QByteArray> names = model.roleNames();
    QList<int> roles;
    QStringList header;
    for (const Column &c : kRosterColumns) {
        roles.append(names.key(QByteArray(c.role), -1));
        header.append(QString::fromLatin1(c.title));
    }
    QString out = record(header);
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row, 0);
        QStringList fields;
        for (qsizetype i = 0; i < roles.size(); ++i) {
            const int role = roles.at(i);
            fields.append(role < 0 ? QString()
                                   : cell(model.data(index, role), kRosterColumns[i].kind));
        }
        out += record(fields);
    }
    return out.toUtf8();
}

bool CsvExporter::exportRoster(QAbstractItemModel *model, const QUrl &file)
{
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    QString error;
    if (!model) {
        error = tr("Nothing to export.");
    } else {
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly) || out.write(rosterCsv(*model)) < 0 || !out.commit())
            error = tr("Cannot write %1: %2").arg(path, out.errorString());
    }
    m_lastError = error;
    if (error.isEmpty()) {
        qCInfo(lcDesktop).noquote()
            << "export.csv"
            << "file=" + path << "rows=" + QString::number(model->rowCount());
    } else {
        qCWarning(lcDesktop).noquote() << "export.failed"
                                       << "file=" + path << "error=" + error;
    }
    Q_EMIT finished(error.isEmpty(), path, error);
    return error.isEmpty();
}

QUrl CsvExporter::suggestedFile(const QString &stem) const
{
    return exportPaths::suggestedFile(QStandardPaths::DocumentsLocation, stem,
                                      QStringLiteral("csv"));
}

} // namespace spidi::desktop
