package dev.roan.spring.boot;

import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Waits before a {@code @ResponseBody} or {@code ResponseEntity} body of a POST, PUT, PATCH or DELETE is written:
 * Spring MVC writes those bodies inside the handler adapter, before any interceptor's {@code postHandle}.
 */
@ControllerAdvice
final class ReadYourWritesBodyAdvice implements ResponseBodyAdvice<Object> {

    private final ReadYourWrites wait;

    ReadYourWritesBodyAdvice(ReadYourWrites wait) {
        this.wait = wait;
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public @Nullable Object beforeBodyWrite(@Nullable Object body, MethodParameter returnType,
            MediaType selectedContentType, Class<? extends HttpMessageConverter<?>> selectedConverterType,
            ServerHttpRequest request, ServerHttpResponse response) {
        wait.awaitAfter(request.getMethod().name(), request.getURI().getRawPath());
        return body;
    }
}
