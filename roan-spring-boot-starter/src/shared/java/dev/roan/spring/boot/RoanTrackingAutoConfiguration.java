package dev.roan.spring.boot;

import java.util.List;

import dev.roan.jooq.Roan;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Automatic dependencies for a servlet application, with {@code roan.track.enabled=true}: every GET and HEAD request
 * is rendered inside {@link Roan#track}, so that Roan learns which rows and tables each page read and purges the page
 * when a committed write changes them, with no rule registered. With a cache that takes tags (see
 * {@code roan.tags}), the response carries the page's keys in the cache's tag header; without, Roan keeps an index
 * from keys to the pages that read them.
 *
 * <p>The filter runs late (after security filters, so a request they refuse is never rendered) and buffers each
 * page's body until its render ends, since the tag header is known only then: pages are held in memory whole.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = RoanAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ OncePerRequestFilter.class, ContentCachingResponseWrapper.class })
@ConditionalOnBooleanProperty(name = "roan.track.enabled")
@ConditionalOnBean(Roan.class)
@EnableConfigurationProperties(RoanProperties.class)
public final class RoanTrackingAutoConfiguration {

    /** Late, but before filters registered at the lowest precedence: their reads are part of the page too. */
    static final int ORDER = Ordered.LOWEST_PRECEDENCE - 100;

    RoanTrackingAutoConfiguration() {
    }

    /**
     * The tracking filter, on every path, for requests and their asynchronous dispatches.
     *
     * @param roan       the Roan bean
     * @param properties the {@code roan.*} properties, for {@code roan.track.exclude}
     * @return the filter's registration
     */
    @Bean
    FilterRegistrationBean<TrackingFilter> roanTrackingFilter(Roan roan, RoanProperties properties) {
        List<String> exclude = properties.getTrack().getExclude();
        TrackingFilter filter;
        try {
            filter = new TrackingFilter(roan, exclude);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException("roan.track.exclude", exclude, e.getMessage());
        }
        FilterRegistrationBean<TrackingFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("roanTrackingFilter");
        registration.setOrder(ORDER);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        return registration;
    }
}
