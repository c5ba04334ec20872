#include "services/image_exporter.h"

#include "services/desktop_logging.h"
#include "services/export_paths.h"

#include <QImageWriter>
#include <QQuickItemGrabResult>
#include <QSaveFile>

namespace spidi::desktop {

ImageExporter::ImageExporter(QObject *parent) : QObject(parent) {}

QString ImageExporter::savePng(const QImage &image, const QString &path)
{
    if (image.isNull())
        return tr("Nothing was rendered to save.");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tr("Cannot write %1: %2").arg(path, file.errorString());
    QImageWriter writer(&file, "png");
    if (!writer.write(image))
        return tr("Cannot write %1: %2").arg(path, writer.errorString());
    if (!file.commit())
        return tr("Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

void ImageExporter::exportItem(QQuickItem *item, const QUrl &file)
{
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    if (!item || !item->window() || item->width() <= 0 || item->height() <= 0) {
        report(path, tr("Nothing to export: the item is not shown."));
        return;
    }
    const QSharedPointer<QQuickItemGrabResult> grab = item->grabToImage();
    if (!grab) {
        report(path, tr("The item could not be rendered."));
        return;
    }
    // The lambda holds the result until it is ready (QQuickItemGrabResult is shared).
    connect(grab.data(), &QQuickItemGrabResult::ready, this,
            [this, grab, path] { report(path, savePng(grab->image(), path)); });
}

void ImageExporter::report(const QString &path, const QString &error)
{
    m_lastError = error;
    if (error.isEmpty())
        qCInfo(lcDesktop).noquote() << "export.png"
                                    << "file=" + path;
    else
        qCWarning(lcDesktop).noquote() << "export.failed"
                                       << "file=" + path << "error=" + error;
    Q_EMIT finished(error.isEmpty(), path, error);
}

QUrl ImageExporter::suggestedFile(const QString &stem) const
{
    return exportPaths::suggestedFile(QStandardPaths::PicturesLocation, stem,
                                      QStringLiteral("png"));
}

} // namespace spidi::desktop
