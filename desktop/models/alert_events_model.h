#pragma once

#include "services/rest_client.h"

#include "models/alert_event_list_model.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QUrlQuery>

namespace spidi::desktop {

// One page of the alert history (GET /api/v1/alerts/events, newest first) with the server's
// filters: state, severity, room, fired between `from` and `to`. Read-only. Changing a filter
// goes back to the first page; a new page replaces the rows (removals and inserts, no reset).
class AlertEventsModel : public spidi::desktop::AlertEventListModel
{
    Q_OBJECT
    Q_PROPERTY(spidi::desktop::RestClient *rest READ rest WRITE setRest NOTIFY restChanged)
    // "" (any) or FIRING, ACKNOWLEDGED, RESOLVED (or a comma-separated list of them).
    Q_PROPERTY(QString stateFilter MEMBER m_state NOTIFY filtersChanged)
    Q_PROPERTY(QString severityFilter MEMBER m_severity NOTIFY filtersChanged)
    Q_PROPERTY(QString roomId MEMBER m_roomId NOTIFY filtersChanged)
    // Invalid: unbounded.
    Q_PROPERTY(QDateTime from MEMBER m_from NOTIFY filtersChanged)
    Q_PROPERTY(QDateTime to MEMBER m_to NOTIFY filtersChanged)
    Q_PROPERTY(int pageSize MEMBER m_pageSize NOTIFY filtersChanged)
    Q_PROPERTY(int offset READ offset NOTIFY pageChanged)
    Q_PROPERTY(int total READ total NOTIFY pageChanged)
    Q_PROPERTY(int count READ count NOTIFY pageChanged)
    Q_PROPERTY(bool hasNext READ hasNext NOTIFY pageChanged)
    Q_PROPERTY(bool hasPrevious READ hasPrevious NOTIFY pageChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    explicit AlertEventsModel(QObject *parent = nullptr);

    RestClient *rest() const { return m_rest; }
    void setRest(RestClient *rest);
    int offset() const { return m_offset; }
    int total() const { return m_total; }
    int count() const { return int(m_events.size()); }
    bool hasNext() const { return m_offset + count() < m_total; }
    bool hasPrevious() const { return m_offset > 0; }
    bool loading() const { return m_loading; }
    QString error() const { return m_error; }

    // The query for the current filters and `offset`.
    QUrlQuery query(int offset) const;
    // Loads the first page with the current filters.
    Q_INVOKABLE void refresh();
    Q_INVOKABLE void nextPage();
    Q_INVOKABLE void previousPage();
    // The rows of a page (replacing the current ones) and the server's total.
    void setPage(const QList<QJsonObject> &events, int offset, int total);

Q_SIGNALS:
    void restChanged();
    void filtersChanged();
    void pageChanged();
    void loadingChanged();
    void errorChanged();

private:
    void load(int offset);
    void setLoading(bool loading);
    void setError(const QString &error);

    QPointer<RestClient> m_rest;
    QString m_state;
    QString m_severity;
    QString m_roomId;
    QDateTime m_from;
    QDateTime m_to;
    int m_pageSize = 50;
    int m_offset = 0;
    int m_total = 0;
    bool m_loading = false;
    QString m_error;
    quint64 m_requestSeq = 0;
};

} // namespace spidi::desktop
